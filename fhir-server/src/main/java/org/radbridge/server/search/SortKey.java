package org.radbridge.server.search;

/** One _sort key: a parameter and its direction. */
public record SortKey(String param, boolean descending) {
  /** Parses "-authored" / "authored". */
  public static SortKey parse(String s) {
    return s.startsWith("-") ? new SortKey(s.substring(1), true) : new SortKey(s, false);
  }

  public String text() {
    return (descending ? "-" : "") + param;
  }
}
