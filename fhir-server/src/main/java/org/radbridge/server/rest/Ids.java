package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.regex.Pattern;

/** FHIR logical ids: {@code [A-Za-z0-9\-\.]{1,64}}. */
final class Ids {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private Ids() {}

  static void requireValid(String id) {
    if (id == null || !VALID.matcher(id).matches()) {
      throw new InvalidRequestException("Invalid resource id '" + id + "': ids are 1-64 characters of A-Z a-z 0-9 - .");
    }
  }
}
