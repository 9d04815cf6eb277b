package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/**
 * Refuses (400) a body declared (or defaulting to) UTF-8 that is not: decoding would turn the bad
 * bytes into U+FFFD and store a name or identifier other than the one sent. Overlong forms,
 * surrogates and code points beyond U+10FFFF are refused as RFC 3629 says.
 */
final class Utf8Validity implements BodyWatcher {
  private long position;
  private int pending;
  private int low = 0x80;
  private int high = 0xBF;

  @Override
  public void accept(int b) {
    position++;
    if (pending > 0) {
      if (b < low || b > high) {
        throw invalid();
      }
      pending--;
      low = 0x80;
      high = 0xBF;
      return;
    }
    if (b < 0x80) {
      return;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      pending = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      pending = 2;
      low = b == 0xE0 ? 0xA0 : 0x80; // no overlong forms
      high = b == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      pending = 3;
      low = b == 0xF0 ? 0x90 : 0x80;
      high = b == 0xF4 ? 0x8F : 0xBF; // nothing beyond U+10FFFF
    } else {
      throw invalid();
    }
  }

  private InvalidRequestException invalid() {
    return new InvalidRequestException("The request body is not valid UTF-8 (byte " + position
        + "); send UTF-8, or name the body's charset in Content-Type");
  }
}
