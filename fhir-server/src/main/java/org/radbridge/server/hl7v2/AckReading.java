package org.radbridge.server.hl7v2;

/**
 * What an acknowledgement says, read from its text for the audit trail: MSA-1 and the first ERR's
 * code (ERR-3.1) and text (ERR-3.9, else ERR-8, else MSA-3). Read by hand: the answer may be the
 * bare AR written when no better one could be built.
 */
record AckReading(String code, String errorCode, String text) {
  static AckReading of(String ack) {
    if (ack == null || ack.length() < 8 || !ack.startsWith("MSH")) {
      return new AckReading(null, null, null);
    }
    char field = ack.charAt(3);
    char component = ack.charAt(4);
    String code = null;
    String msa3 = null;
    String errCode = null;
    String errText = null;
    for (String segment : ack.split("\r\n|\r|\n")) {
      String[] f = segment.split(java.util.regex.Pattern.quote(String.valueOf(field)), -1);
      if (f[0].equals("MSA") && code == null) {
        code = at(f, 1);
        msa3 = at(f, 3);
      } else if (f[0].equals("ERR") && errCode == null) {
        String[] err3 = at(f, 3) == null ? new String[0] : at(f, 3).split(java.util.regex.Pattern.quote(String.valueOf(component)), -1);
        errCode = at(err3, 0);
        errText = at(err3, 8) != null ? at(err3, 8) : at(f, 8);
      }
    }
    return new AckReading(code, errCode, errText != null ? errText : msa3);
  }

  /** The audit outcome of the answer: AA/CA 0; AE/CE 4 (refused for what it says or who sent it); AR/CR or none 8. */
  int outcome() {
    if (code == null) {
      return 8;
    }
    return switch (code) {
      case "AA", "CA" -> 0;
      case "AE", "CE" -> 4;
      default -> 8;
    };
  }

  /** "AE 207: the text", for the record's outcome description; null for a plain AA. */
  String describe() {
    if (outcome() == 0 && text == null) {
      return null;
    }
    return (code == null ? "no answer" : code) + (errorCode == null ? "" : " " + errorCode)
        + (text == null ? "" : ": " + text);
  }

  private static String at(String[] a, int i) {
    return i < a.length && !a[i].isEmpty() ? a[i] : null;
  }
}
