package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What can be read of a message's header when HAPI could not parse the message: its encoding
 * characters, who sent it (MSH-3/4) to whom (MSH-5/6), its control id (MSH-10), processing id and
 * version — each empty when unreadable — and the first problem that stops processing, as an HL7
 * table 0357 code at an ERR-2 location. Read by hand because HAPI's own header reader gives up on
 * the whole header at the first wrong character.
 */
final class HeaderReading {
  static final char STANDARD_SEPARATOR = '|';
  static final String STANDARD_ENCODING = "^~\\&";
  /** A segment: three letters or digits (the first a letter) and a field separator. */
  private static final Pattern SEGMENT_START = Pattern.compile("[A-Z][A-Z0-9]{2}[^A-Za-z0-9\\s].*", Pattern.DOTALL);
  private static final int[] REQUIRED = {9, 10, 11, 12};
  private static final String[] REQUIRED_NAMES = {"message type", "message control id", "processing id", "version id"};

  /** Why the message cannot be processed: the code, where, and a sentence for the sender. */
  record Problem(ErrorCode code, String segment, int repetition, int field, String text) {
    HL7Exception toException() {
      HL7Exception e = new HL7Exception(text, code);
      Location at = new Location().withSegmentName(segment).withSegmentRepetition(repetition);
      e.setLocation(field > 0 ? at.withField(field) : at);
      return e;
    }
  }

  private final char separator;
  private final String encoding;
  /** MSH fields by number (index 0 unused); empty when the encoding characters cannot be read. */
  private final List<String> msh;
  private final Problem problem;

  private HeaderReading(char separator, String encoding, List<String> msh, Problem problem) {
    this.separator = separator;
    this.encoding = encoding;
    this.msh = msh;
    this.problem = problem;
  }

  /** Whether the text starts like HL7 v2 segments at all; anything else gets no answer it could read. */
  static boolean looksLikeSegments(String text) {
    return SEGMENT_START.matcher(text).matches();
  }

  static HeaderReading of(String message) {
    List<String> segments = List.of(message.split("\r\n|\r|\n"));
    String first = segments.isEmpty() ? "" : segments.get(0);
    if (!first.startsWith("MSH")) {
      String id = first.length() >= 3 ? first.substring(0, 3) : first;
      return unreadable(new Problem(ErrorCode.SEGMENT_SEQUENCE_ERROR, id, 1, 0,
          "The message does not begin with an MSH segment (its first segment is '" + printable(id) + "')"));
    }
    if (first.length() < 8) {
      return unreadable(new Problem(ErrorCode.REQUIRED_FIELD_MISSING, "MSH", 1, 2,
          "MSH ends before its field separator and encoding characters (MSH-1, MSH-2)"));
    }
    char sep = first.charAt(3);
    int end = first.indexOf(sep, 4);
    String encoding = first.substring(4, end < 0 ? first.length() : end);
    String others = separatorOfOtherSegments(segments, sep);
    if (!validEncoding(sep, encoding)) {
      return unreadable(new Problem(ErrorCode.DATA_TYPE_ERROR, "MSH", 1, 1, "MSH-1 and MSH-2 ('" + printable(String.valueOf(sep))
          + "' and '" + printable(encoding) + "') are not a field separator followed by four distinct encoding characters"
          + (others == null ? "" : "; the other segments separate fields with '" + others + "'")));
    }
    if (others != null) {
      return unreadable(new Problem(ErrorCode.DATA_TYPE_ERROR, "MSH", 1, 1, "MSH-1 declares '" + printable(String.valueOf(sep))
          + "' as the field separator but the other segments separate fields with '" + others + "'"));
    }
    List<String> fields = new ArrayList<>();
    fields.add("");
    fields.add(String.valueOf(sep));
    String[] parts = first.split(Pattern.quote(String.valueOf(sep)), -1);
    for (int i = 1; i < parts.length; i++) {
      fields.add(parts[i]);
    }
    List<String> missing = new ArrayList<>();
    int firstMissing = 0;
    for (int i = 0; i < REQUIRED.length; i++) {
      int n = REQUIRED[i];
      if (n >= fields.size() || fields.get(n).isBlank()) {
        missing.add("MSH-" + n + " (" + REQUIRED_NAMES[i] + ")");
        firstMissing = firstMissing == 0 ? n : firstMissing;
      }
    }
    Problem problem = null;
    if (!missing.isEmpty()) {
      String where = fields.size() - 1 < REQUIRED[0] ? "MSH ends after MSH-" + (fields.size() - 1) + ": " : "";
      problem = new Problem(ErrorCode.REQUIRED_FIELD_MISSING, "MSH", 1, firstMissing,
          where + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing");
    }
    return new HeaderReading(sep, encoding, fields, problem);
  }

  /** The field separator the other segments use when it is not MSH-1's, else null. */
  private static String separatorOfOtherSegments(List<String> segments, char sep) {
    for (String s : segments.subList(1, segments.size())) {
      if (s.length() >= 4 && s.charAt(3) != sep) {
        return printable(String.valueOf(s.charAt(3)));
      }
    }
    return null;
  }

  private static boolean validEncoding(char sep, String encoding) {
    if (Character.isLetterOrDigit(sep) || Character.isWhitespace(sep) || encoding.length() < 4 || encoding.length() > 5) {
      return false; // four characters, a fifth (truncation) since v2.7
    }
    for (int i = 0; i < encoding.length(); i++) {
      char c = encoding.charAt(i);
      if (c == sep || Character.isLetterOrDigit(c) || Character.isWhitespace(c) || encoding.indexOf(c) != i) {
        return false;
      }
    }
    return true;
  }

  private static HeaderReading unreadable(Problem problem) {
    return new HeaderReading(STANDARD_SEPARATOR, STANDARD_ENCODING, List.of(), problem);
  }

  /** At most 20 characters of the sender's text, control characters shown as '?'. */
  private static String printable(String s) {
    String cut = s.length() > 20 ? s.substring(0, 20) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  /** The problem that stops processing, or null when the header reads well. */
  Problem problem() {
    return problem;
  }

  /** The field separator to answer in: the sender's when readable. */
  char separator() {
    return separator;
  }

  String encodingCharacters() {
    return encoding;
  }

  /** MSH-n as sent ("" when absent or unreadable). */
  String field(int n) {
    return n < msh.size() ? msh.get(n) : "";
  }

  /** The first component of MSH-n ("" when absent or unreadable). */
  String component1(int n) {
    String f = field(n);
    int cut = f.indexOf(encoding.charAt(0));
    return cut < 0 ? f : f.substring(0, cut);
  }
}
