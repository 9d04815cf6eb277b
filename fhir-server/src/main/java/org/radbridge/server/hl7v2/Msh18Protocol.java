package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.llp.HL7Reader;
import ca.uhn.hl7v2.llp.HL7Writer;
import ca.uhn.hl7v2.llp.LLPException;
import ca.uhn.hl7v2.llp.LowerLayerProtocol;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * MLLP framing that decodes each message in the charset its MSH-18 names. HAPI's own protocol
 * knows only HL7 table 0211 spellings ({@code GB 18030-2000}, {@code UNICODE UTF-8}) and silently
 * falls back to its default for anything else; the network's systems also write the IANA names
 * ({@code GB18030}, {@code UTF-8}), so both are accepted here. Unknown or absent: UTF-8. Writing
 * is HAPI's (MSH-18 respected).
 */
final class Msh18Protocol extends LowerLayerProtocol {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Msh18Protocol.class);
  private static final int VT = 0x0b;
  private static final int FS = 0x1c;
  private static final Map<String, Charset> HL7_NAMES = Map.of(
      "ASCII", StandardCharsets.US_ASCII, "8859/1", StandardCharsets.ISO_8859_1,
      "UNICODE", StandardCharsets.UTF_8, "UNICODE UTF-8", StandardCharsets.UTF_8,
      "GB 18030-2000", Charset.forName("GB18030"), "BIG-5", Charset.forName("Big5"),
      "KS X 1001", Charset.forName("EUC-KR"), "ISO IR87", Charset.forName("ISO-2022-JP"));

  private final MinLowerLayerProtocol writing = new MinLowerLayerProtocol(true);

  @Override
  public HL7Reader getReader(InputStream in) {
    return new Reader(in);
  }

  @Override
  public HL7Writer getWriter(OutputStream out) throws LLPException {
    return writing.getWriter(out);
  }

  /** The charset of an MSH-18 value. */
  static Charset charsetOf(String msh18) {
    if (msh18 == null || msh18.isBlank()) {
      return StandardCharsets.UTF_8;
    }
    String name = msh18.trim().toUpperCase(Locale.ROOT);
    Charset hl7 = HL7_NAMES.get(name);
    if (hl7 != null) {
      return hl7;
    }
    try {
      return Charset.forName(name.replace('_', '-'));
    } catch (IllegalArgumentException unknown) {
      return StandardCharsets.UTF_8;
    }
  }

  /** MSH-18 read from the frame's first segment, which is ASCII in every charset in use. */
  static Charset charsetOf(byte[] frame) {
    int end = 0;
    while (end < frame.length && frame[end] != '\r' && frame[end] != '\n') {
      end++;
    }
    String msh = new String(frame, 0, end, StandardCharsets.ISO_8859_1);
    if (msh.length() < 4 || !msh.startsWith("MSH")) {
      return StandardCharsets.UTF_8;
    }
    String[] fields = msh.split(java.util.regex.Pattern.quote(String.valueOf(msh.charAt(3))), -1);
    // fields[0] is "MSH" and MSH-1 is the separator itself, so MSH-18 is fields[17]
    String value = fields.length > 17 ? fields[17] : null;
    if (value != null && fields[1].length() > 1) {
      value = value.split(java.util.regex.Pattern.quote(String.valueOf(fields[1].charAt(1))), -1)[0]; // first repetition
    }
    return charsetOf(value);
  }

  private static final class Reader implements HL7Reader {
    private InputStream in;

    Reader(InputStream in) {
      this.in = new BufferedInputStream(in);
    }

    @Override
    public String getMessage() throws LLPException, IOException {
      int b;
      while (true) {
        try {
          b = in.read();
        } catch (java.net.SocketTimeoutException idle) {
          return null; // HAPI's receiver loop polls: nothing yet, ask again
        }
        if (b == VT) {
          break;
        }
        if (b < 0) {
          throw new java.net.SocketException("the peer closed the connection"); // HAPI closes its side
        }
        if (!Character.isWhitespace(b)) {
          throw new LLPException("MLLP frame does not start with <VT> (got 0x" + Integer.toHexString(b) + ")");
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
      while ((b = readInFrame()) != FS) {
        if (b < 0) {
          throw new LLPException("MLLP frame ended before <FS>");
        }
        body.write(b);
      }
      readInFrame(); // the <CR> after <FS>
      byte[] frame = body.toByteArray();
      int start = frame.length >= 3 && (frame[0] & 0xff) == 0xef && (frame[1] & 0xff) == 0xbb
          && (frame[2] & 0xff) == 0xbf ? 3 : 0; // a UTF-8 byte order mark
      String text = new String(frame, start, frame.length - start, charsetOf(frame));
      if (!HeaderReading.looksLikeSegments(text)) {
        // no segment, so no encoding characters to answer in: HAPI closes the connection on this
        String head = text.length() > 20 ? text.substring(0, 20) : text;
        log.warn("MLLP frame of {} bytes is not an HL7 v2 message (begins '{}'); closing the connection", frame.length,
            head.replaceAll("\\p{Cntrl}", "?"));
        throw new LLPException("MLLP frame of " + frame.length + " bytes is not an HL7 v2 message");
      }
      return text;
    }

    /** Inside a frame a read timeout is a slow sender, not the end: keep waiting. */
    private int readInFrame() throws IOException {
      while (true) {
        try {
          return in.read();
        } catch (java.net.SocketTimeoutException slow) {
          // keep the bytes read so far
        }
      }
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = new BufferedInputStream(in);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
