package org.radbridge.server.hl7v2;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The charset a message is decoded in, from its MSH-18. HAPI's own protocol knows only HL7 table
 * 0211 spellings ({@code GB 18030-2000}, {@code UNICODE UTF-8}) and silently falls back to its
 * default for anything else; the network's systems also write the IANA names ({@code GB18030},
 * {@code UTF-8}), so both are accepted here. Unknown or absent: UTF-8.
 */
final class Msh18Charsets {
  private static final Map<String, Charset> HL7_NAMES = Map.of(
      "ASCII", StandardCharsets.US_ASCII, "8859/1", StandardCharsets.ISO_8859_1,
      "UNICODE", StandardCharsets.UTF_8, "UNICODE UTF-8", StandardCharsets.UTF_8,
      "GB 18030-2000", Charset.forName("GB18030"), "BIG-5", Charset.forName("Big5"),
      "KS X 1001", Charset.forName("EUC-KR"), "ISO IR87", Charset.forName("ISO-2022-JP"));

  private Msh18Charsets() {}

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

  /** MSH-18 as written in the frame's first segment, which is ASCII in every charset in use; null when absent. */
  static String msh18(byte[] frame) {
    int end = 0;
    while (end < frame.length && frame[end] != '\r' && frame[end] != '\n') {
      end++;
    }
    String msh = new String(frame, 0, end, StandardCharsets.ISO_8859_1);
    if (msh.length() < 4 || !msh.startsWith("MSH")) {
      return null;
    }
    String[] fields = msh.split(java.util.regex.Pattern.quote(String.valueOf(msh.charAt(3))), -1);
    // fields[0] is "MSH" and MSH-1 is the separator itself, so MSH-18 is fields[17]
    String value = fields.length > 17 ? fields[17] : null;
    if (value != null && fields[1].length() > 1) {
      value = value.split(java.util.regex.Pattern.quote(String.valueOf(fields[1].charAt(1))), -1)[0]; // first repetition
    }
    return value;
  }

  /** The charset the frame's MSH-18 names. */
  static Charset charsetOf(byte[] frame) {
    return charsetOf(msh18(frame));
  }
}
