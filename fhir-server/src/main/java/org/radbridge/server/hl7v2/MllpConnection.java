package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.llp.HL7Writer;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.protocol.ApplicationRouter;
import ca.uhn.hl7v2.protocol.impl.TransportableImpl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.UnmappableCharacterException;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MLLP connection on its own thread: frames read within the listener's bounds
 * ({@link MllpFrameReader}), each message decoded per its MSH-18 and handed to HAPI's application
 * router, its answer written back before the next frame is read — so a sender's messages are
 * processed in the order sent. A frame too large or not in its charset is answered AR without
 * reaching HAPI; a frame that is not HL7 at all, a stall, or bytes outside a frame end the
 * connection, and so does an answer that makes no progress for the write timeout (a sender that
 * does not read its ACKs; {@link WriteWatchdog}). Acknowledgements sent to RadBridge are not
 * answered (HL7 never acknowledges an acknowledgement), as HAPI's own server does.
 */
final class MllpConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(MllpConnection.class);

  private final Socket socket;
  private final MllpFrameReader frames;
  private final ApplicationRouter router;
  private final UnreadableMessageHandler refusals;
  private final ca.uhn.hl7v2.parser.Parser parser;
  private final java.time.Duration handshakeTimeout;
  private final WriteWatchdog watchdog;
  private final java.time.Duration writeTimeout;
  private final Runnable ended;
  private final String peer;
  private final ReceivedMessageAudit audit;
  /** The client certificate the handshake verified (set once, by this connection's thread); null when none. */
  private java.security.cert.X509Certificate clientCertificate;

  MllpConnection(Socket socket, MllpFrameReader frames, ApplicationRouter router, UnreadableMessageHandler refusals,
      ca.uhn.hl7v2.parser.Parser parser, java.time.Duration handshakeTimeout, WriteWatchdog watchdog,
      java.time.Duration writeTimeout, ReceivedMessageAudit audit, Runnable ended) {
    this.socket = socket;
    this.frames = frames;
    this.router = router;
    this.refusals = refusals;
    this.parser = parser;
    this.handshakeTimeout = handshakeTimeout;
    this.watchdog = watchdog;
    this.writeTimeout = writeTimeout;
    this.ended = ended;
    this.audit = audit;
    this.peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
  }

  @Override
  public void run() {
    WriteWatchdog.Watched out = null;
    try {
      if (socket instanceof SSLSocket tls) {
        // the handshake gets the time of a frame, not of an idle connection
        socket.setSoTimeout((int) handshakeTimeout.toMillis());
        tls.startHandshake();
        clientCertificate = clientCertificateOf(tls);
      }
      out = watchdog.watch(socket, socket.getOutputStream(), writeTimeout, "MLLP connection from " + peer);
      HL7Writer writer = new MinLowerLayerProtocol(true).getWriter(out);
      MllpFrameReader.Frame frame;
      while ((frame = frames.next()) != null) {
        String answer = answer(frame);
        if (answer != null) {
          writer.writeMessage(answer);
        }
      }
      log.debug("MLLP connection from {} closed by the peer", peer);
    } catch (MllpFrameReader.Cut cut) {
      log.info("MLLP connection from {} closed: {}", peer, cut.getMessage());
    } catch (IOException | ca.uhn.hl7v2.llp.LLPException e) {
      if (out == null || !out.wasCut()) { // else the watchdog said why
        log.info("MLLP connection from {} ended: {}", peer, e.toString());
      }
    } catch (RuntimeException e) {
      log.error("MLLP connection from {} ended by an unexpected failure", peer, e);
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      ended.run();
    }
  }

  /**
   * The answer to one frame, or null for none; a frame that is not HL7 ends the connection. Every
   * message answered — taken or refused — leaves its audit record; an acknowledgement (not answered)
   * is no access and leaves none.
   */
  private String answer(MllpFrameReader.Frame frame) throws MllpFrameReader.Cut {
    ReceivedMessageTrail trail = new ReceivedMessageTrail();
    String[] incoming = new String[1];
    String answer;
    try {
      answer = answer(frame, trail, incoming);
    } catch (MllpFrameReader.Cut cut) {
      audit.unreadable(socket.getInetAddress().getHostAddress(), cut.getMessage());
      throw cut;
    }
    if (answer != null) {
      audit.received(incoming[0], answer, socket.getInetAddress().getHostAddress(), trail);
    }
    return answer;
  }

  /** {@code incoming[0]} receives the message's text as read. */
  private String answer(MllpFrameReader.Frame frame, ReceivedMessageTrail trail, String[] incoming)
      throws MllpFrameReader.Cut {
    byte[] bytes = frame.bytes();
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf ? 3 : 0; // a UTF-8 byte order mark
    Charset charset = Msh18Charsets.charsetOf(bytes);
    String lenient = new String(bytes, start, bytes.length - start, charset);
    incoming[0] = lenient;
    if (!HeaderReading.looksLikeSegments(lenient)) {
      // no segment, so no encoding characters to answer in
      String head = lenient.length() > 20 ? lenient.substring(0, 20) : lenient;
      throw new MllpFrameReader.Cut("a frame of " + frame.length() + " bytes is not an HL7 v2 message (begins '"
          + head.replaceAll("\\p{Cntrl}", "?") + "')");
    }
    if (frame.oversized()) {
      log.warn("HL7 v2 message of {} bytes from {} refused (AR): larger than {} bytes", frame.length(), peer, bytes.length);
      return refusals.refuse(lenient, new HL7Exception("The message is " + frame.length() + " bytes long; RadBridge"
          + " accepts at most " + bytes.length + " bytes in one message; nothing was stored", ErrorCode.APPLICATION_INTERNAL_ERROR));
    }
    String text;
    try {
      text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
    } catch (CharacterCodingException e) {
      return undecodable(lenient, bytes, start, charset, e);
    }
    if (isAcknowledgement(text)) {
      log.info("HL7 v2 acknowledgement from {} not answered (nothing awaits it)", peer);
      return null;
    }
    Map<String, Object> metadata = new HashMap<>();
    InetSocketAddress from = (InetSocketAddress) socket.getRemoteSocketAddress();
    metadata.put(ApplicationRouter.METADATA_KEY_SENDING_IP, from.getAddress().getHostAddress());
    metadata.put(ApplicationRouter.METADATA_KEY_SENDING_PORT, from.getPort());
    metadata.put(MllpPeer.METADATA_KEY, new MllpPeer(from.getAddress(), socket instanceof SSLSocket, clientCertificate));
    metadata.put(ReceivedMessageTrail.METADATA_KEY, trail);
    try {
      return router.processMessage(new TransportableImpl(text, metadata)).getMessage();
    } catch (HL7Exception e) {
      // the router found no answer at all (its exception handler always has one)
      log.error("HL7 v2 message from {} got no answer from the router", peer, e);
      return refusals.refuse(text, new HL7Exception("RadBridge could not process the message because of an internal"
          + " error; nothing was stored; send it again", ErrorCode.APPLICATION_INTERNAL_ERROR));
    }
  }

  /** AR naming where the bytes stop being the charset MSH-18 declares. */
  private String undecodable(String lenient, byte[] bytes, int start, Charset charset, CharacterCodingException e) {
    long offset = start + firstBadByte(bytes, start, charset);
    String declared = Msh18Charsets.msh18(bytes);
    String what = declared == null || declared.isBlank() ? "UTF-8 (MSH-18 is empty)" : charset.name() + " (MSH-18 '"
        + declared + "')";
    String kind = e instanceof UnmappableCharacterException ? "cannot be mapped from" : "are not valid";
    log.warn("HL7 v2 message from {} refused (AR): bytes at offset {} {} {}", peer, offset, kind, what);
    HL7Exception problem = new HL7Exception("The bytes at offset " + offset + " of the message " + kind + " " + what
        + "; declare the charset the message is written in; nothing was stored", ErrorCode.DATA_TYPE_ERROR);
    problem.setLocation(new ca.uhn.hl7v2.Location().withSegmentName("MSH").withSegmentRepetition(1).withField(18));
    return refusals.refuse(lenient, problem);
  }

  /** Where decoding first fails, counted from {@code start}. */
  private static long firstBadByte(byte[] bytes, int start, Charset charset) {
    java.nio.charset.CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 16);
    java.nio.charset.CoderResult r = decoder.decode(in, out, true);
    return r.isError() ? in.position() - start : 0;
  }

  /** Whether the message carries MSA-2: an answer to a message, not one to answer. */
  private boolean isAcknowledgement(String text) {
    try {
      return parser.getAckID(text) != null;
    } catch (RuntimeException unreadable) {
      return false; // let the router say what is wrong with it
    }
  }

  /** The client's own certificate, verified by the handshake against the bundle's trust store; null when it sent none. */
  private static java.security.cert.X509Certificate clientCertificateOf(SSLSocket tls) {
    try {
      java.security.cert.Certificate[] chain = tls.getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x ? x : null;
    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
      return null; // client-auth none, or want and the client sent none
    }
  }
}
