package org.radbridge.server.dicom;

/**
 * Whether a DICOM UID may name a file: UIDs become directory and file names under the DICOM
 * directory, so one that could climb out of it or collide ({@code ..}, {@code 1..2}, a slash) is
 * refused. PS3.5 9.1: digits and dots, at most 64 characters, no empty component. A component with
 * a leading zero ({@code 1.02.3}) breaks the same rule but is harmless as a name and common in old
 * equipment: it is accepted and the study is flagged.
 */
final class DicomUids {
  static final int MAX_LENGTH = 64;

  private DicomUids() {}

  /** Why the UID cannot be stored, or null when it can. */
  static String problem(String uid) {
    if (uid == null || uid.isEmpty()) {
      return "is empty";
    }
    if (uid.length() > MAX_LENGTH) {
      return "is " + uid.length() + " characters long (at most " + MAX_LENGTH + ")";
    }
    boolean componentStart = true;
    for (int i = 0; i < uid.length(); i++) {
      char c = uid.charAt(i);
      if (c == '.') {
        if (componentStart) {
          return "has an empty component (components are numbers separated by single dots)";
        }
        componentStart = true;
      } else if (c >= '0' && c <= '9') {
        componentStart = false;
      } else {
        return "contains a character other than digits and dots";
      }
    }
    return componentStart ? "has an empty component (components are numbers separated by single dots)" : null;
  }

  /** Whether a component of a storable UID starts with a zero but is not zero itself. */
  static boolean hasLeadingZero(String uid) {
    if (uid == null) {
      return false;
    }
    for (int i = 0; i + 1 < uid.length(); i++) {
      if (uid.charAt(i) == '0' && (i == 0 || uid.charAt(i - 1) == '.') && uid.charAt(i + 1) != '.') {
        return true;
      }
    }
    return false;
  }
}
