package org.radbridge.server.audit;

/** {@code Type/id} of a reference or a Location ({@code [base]/Type/id/_history/n}). */
final class Ids {
  private Ids() {}

  static String relative(String location) {
    String s = location;
    int h = s.indexOf("/_history");
    if (h >= 0) {
      s = s.substring(0, h);
    }
    int last = s.lastIndexOf('/');
    int before = last <= 0 ? -1 : s.lastIndexOf('/', last - 1);
    return before < 0 ? s : s.substring(before + 1);
  }
}
