package org.radbridge.server.validation;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.utilities.xhtml.NodeType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

/**
 * FHIR's narrative rule txt-1 as a whitelist: only the basic formatting elements and attributes of
 * HTML 4 (chapters 7-11 and 15), links and images, and style attributes that run nothing — so a
 * narrative rendered in a browser can run no script: no {@code <script>}, {@code <iframe>},
 * {@code <object>} or form, no event attribute ({@code onclick}, {@code onerror}), no
 * {@code javascript:} URL, no CSS expression.
 */
final class NarrativeRules {
  static final Set<String> ELEMENTS = Set.of("p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span",
      "b", "em", "i", "strong", "small", "big", "tt", "dfn", "q", "var", "abbr", "acronym", "cite", "blockquote",
      "hr", "address", "bdo", "kbd", "sub", "sup", "ul", "ol", "li", "dl", "dt", "dd", "pre", "table", "caption",
      "colgroup", "col", "thead", "tr", "tfoot", "tbody", "th", "td", "code", "samp", "img", "map", "area");
  static final Set<String> ATTRIBUTES = Set.of("title", "style", "class", "id", "lang", "xml:lang", "dir",
      "accesskey", "tabindex", "xml:space", "span", "width", "align", "valign", "char", "charoff", "abbr", "axis", "headers",
      "scope", "rowspan", "colspan");
  static final Set<String> ELEMENT_ATTRIBUTES = Set.of("a.href", "a.name", "a.charset", "a.type", "a.hreflang",
      "a.rel", "a.rev", "a.shape", "a.coords", "img.src", "img.alt", "img.border", "img.longdesc", "img.height",
      "img.width", "img.usemap", "img.ismap", "map.name", "area.shape", "area.coords", "area.href", "area.nohref",
      "area.alt", "blockquote.cite", "q.cite", "table.summary", "table.width", "table.border", "table.frame",
      "table.rules", "table.cellspacing", "table.cellpadding", "pre.space", "td.nowrap");
  /** Attributes whose value a browser follows as a URL. */
  private static final Set<String> URL_ATTRIBUTES = Set.of("href", "src", "longdesc", "cite");
  private static final Set<String> URL_SCHEMES = Set.of("http", "https", "mailto", "tel", "urn", "ftp");
  private static final Pattern SCHEME = Pattern.compile("^([a-z][a-z0-9+.-]*):");
  private static final Pattern ACTIVE_CSS = Pattern.compile(
      "expression\\s*\\(|javascript:|vbscript:|behavior\\s*:|-moz-binding|@import");

  private NarrativeRules() {}

  /** What txt-1 forbids in this div, or null when it is clean. */
  static String problem(XhtmlNode div) {
    if (div == null || div.getNodeType() != NodeType.Element && div.getNodeType() != NodeType.Document) {
      return null;
    }
    return check(div);
  }

  private static String check(XhtmlNode node) {
    switch (node.getNodeType()) {
      case Element -> {
        String name = node.getName() == null ? "" : node.getName().toLowerCase(Locale.ROOT);
        if (!ELEMENTS.contains(name)) {
          return "the element <" + node.getName() + "> is not allowed";
        }
        for (var a : node.getAttributes().entrySet()) {
          String problem = attribute(name, a.getKey(), a.getValue());
          if (problem != null) {
            return problem;
          }
        }
      }
      case Instruction, DocType -> {
        return "processing instructions and document types are not allowed";
      }
      default -> {
        // text, comments and the document node itself are fine
      }
    }
    for (XhtmlNode child : node.getChildNodes()) {
      String problem = check(child);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String attribute(String element, String attribute, String value) {
    String a = attribute.toLowerCase(Locale.ROOT);
    if (!a.startsWith("xmlns") && !ATTRIBUTES.contains(a) && !ELEMENT_ATTRIBUTES.contains(element + "." + a)) {
      return "the attribute " + attribute + " on <" + element + "> is not allowed";
    }
    if (value == null) {
      return null;
    }
    if (URL_ATTRIBUTES.contains(a)) {
      String scheme = scheme(value);
      boolean image = "img".equals(element) && "src".equals(a);
      if (scheme != null && !URL_SCHEMES.contains(scheme)
          && !(image && "data".equals(scheme) && normalized(value).startsWith("data:image/"))) {
        return "the " + scheme + ": URL in <" + element + " " + attribute + "> is not allowed";
      }
    }
    if ("style".equals(a) && ACTIVE_CSS.matcher(normalized(value)).find()) {
      return "the style attribute on <" + element + "> runs something (expression(), javascript:, "
          + "behavior, bindings, @import), which is not allowed";
    }
    return null;
  }

  /** The URL's scheme as a browser reads it (it ignores case, whitespace and control characters), or null. */
  private static String scheme(String url) {
    var m = SCHEME.matcher(normalized(url));
    return m.find() ? m.group(1) : null;
  }

  private static String normalized(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > ' ' && c != '\u007f') {
        sb.append(Character.toLowerCase(c));
      }
    }
    return sb.toString();
  }
}
