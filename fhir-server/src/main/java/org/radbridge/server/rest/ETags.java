package org.radbridge.server.rest;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** Reads the version a client names in If-Match ({@code W/"3"}, {@code "3"} or {@code 3}). */
final class ETags {
  private ETags() {}

  static Integer ifMatchVersion(RequestDetails request) {
    String header = request.getHeader("If-Match");
    if (header == null || header.isBlank()) {
      return null;
    }
    String v = header.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    v = v.replace("\"", "").trim();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("If-Match header '" + header + "' does not name a version (expected W/\"n\")");
    }
  }
}
