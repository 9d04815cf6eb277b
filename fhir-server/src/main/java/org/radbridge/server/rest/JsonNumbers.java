package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * Bounds the numbers of a JSON body ({@code radbridge.limits.max-number-digits}): a number written
 * with more characters than that, or with an exponent beyond it, is refused (400). HAPI writes a
 * JSON number out in full before reading it, so {@code 1e999999999} would otherwise fill the heap,
 * and a number of millions of digits costs seconds of CPU to read.
 */
final class JsonNumbers implements BodyWatcher {
  private final int max;
  private boolean inString;
  private boolean escaped;
  private int length;
  private boolean inExponent;
  private long exponent;

  JsonNumbers(int max) {
    this.max = max;
  }

  @Override
  public void accept(int b) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
      } else if (b == '"') {
        inString = false;
      }
      return;
    }
    if (b == '"') {
      inString = true;
      endNumber();
    } else if (b >= '0' && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
      length++;
      if (inExponent && b >= '0' && b <= '9') {
        exponent = Math.min(exponent * 10 + (b - '0'), Integer.MAX_VALUE);
      }
      if (b == 'e' || b == 'E') {
        inExponent = true;
      }
      if (length > max || exponent > max) {
        throw new InvalidRequestException("A number in the request body has more than " + max + " digits or an"
            + " exponent beyond " + max + " (radbridge.limits.max-number-digits)");
      }
    } else {
      endNumber();
    }
  }

  private void endNumber() {
    length = 0;
    inExponent = false;
    exponent = 0;
  }
}
