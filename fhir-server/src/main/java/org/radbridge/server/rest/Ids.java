package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.regex.Pattern;

/** FHIR logical ids: {@code [A-Za-z0-9\-\.]{1,64}}. */
final class Ids {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private Ids() {}

  static void requireValid(String id) {
    if (id == null || !VALID.matcher(id).matches()) {
      throw new InvalidRequestException("Invalid resource id '" + abbreviated(id)
          + "': ids are 1-64 characters of A-Z a-z 0-9 - .");
    }
    if (isDotSegment(id)) {
      throw new InvalidRequestException("Invalid resource id '" + id + "': '.' and '..' are path segments in a URL,"
          + " so a resource with that id could never be addressed");
    }
  }

  /** "." and "..": allowed by the id pattern, but every URL resolver removes them. */
  static boolean isDotSegment(String id) {
    return ".".equals(id) || "..".equals(id);
  }

  private static String abbreviated(String s) {
    return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
