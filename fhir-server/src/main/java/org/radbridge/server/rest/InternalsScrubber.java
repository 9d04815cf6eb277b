package org.radbridge.server.rest;

import java.util.regex.Pattern;

/**
 * Takes the internals out of an error text a library wrote for a bad request: Java class and
 * exception names, HAPI's message codes, Jackson's source locations. What remains names the
 * client's problem ("Invalid attribute value \"1.5\": For input string: \"1.5\"").
 */
final class InternalsScrubber {
  private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}:\\s*");
  /** HAPI's XML parser: "DataFormatException at [[row,col {unknown-source}]: [1,38]]: ". */
  private static final Pattern PARSER_LOCATION = Pattern.compile(
      "\\b[A-Za-z]*Exception at \\[\\[row,col \\{[^}]*\\}\\]: \\[(\\d+),(\\d+)\\]\\]:\\s*");
  private static final Pattern JACKSON_SOURCE = Pattern.compile("\\s*at \\[Source: [^\\]]*\\]");
  private static final Pattern REFERENCE_CHAIN = Pattern.compile("\\s*\\(through reference chain: [^)]*\\)");
  private static final Pattern QUALIFIED_THROWABLE = Pattern.compile(
      "\\b(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.){2,}([A-Z][\\w$]*)");
  private static final Pattern BARE_THROWABLE = Pattern.compile("\\b[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");

  private InternalsScrubber() {}

  static String scrub(String text) {
    if (text == null) {
      return null;
    }
    String s = HAPI_CODE.matcher(text).replaceAll("");
    s = PARSER_LOCATION.matcher(s).replaceAll("at line $1, column $2: ");
    s = JACKSON_SOURCE.matcher(s).replaceAll("");
    s = REFERENCE_CHAIN.matcher(s).replaceAll("");
    s = QUALIFIED_THROWABLE.matcher(s).replaceAll("");
    s = QUALIFIED_NAME.matcher(s).replaceAll("$1");
    s = BARE_THROWABLE.matcher(s).replaceAll("");
    return s.trim();
  }
}
