package org.radbridge.server.search;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Search criteria as FHIR defines them: parameters AND-ed by repetition, values OR-ed by comma.
 * Parsed from a query string ({@code identifier=sys|1&_id=a,b}) when a client sends one, or built
 * from values with {@link #where()} when the server looks something up itself: a built value is
 * matched as it is, whatever characters it holds, so a field from HL7 v2 or DICOM is data and never
 * query syntax.
 */
public final class SearchCriteria {
  /** One occurrence of a parameter: name, modifier (after ':'), and its comma-separated values. */
  public record Clause(String name, String modifier, List<String> values) {
    public String rawName() {
      return modifier == null ? name : name + ":" + modifier;
    }

    /** How many references the clause follows: one per chain link ('.') and one per _has. */
    public int referenceDepth() {
      String raw = rawName();
      int depth = 0;
      for (int i = raw.indexOf('.'); i >= 0; i = raw.indexOf('.', i + 1)) {
        depth++;
      }
      for (int i = raw.indexOf("_has"); i >= 0; i = raw.indexOf("_has", i + 1)) {
        depth++;
      }
      return depth;
    }
  }

  private final List<Clause> clauses;

  private SearchCriteria(List<Clause> clauses) {
    this.clauses = clauses;
  }

  public static SearchCriteria of(List<Clause> clauses) {
    return new SearchCriteria(List.copyOf(clauses));
  }

  public List<Clause> clauses() {
    return clauses;
  }

  public boolean isEmpty() {
    return clauses.isEmpty();
  }

  /** Parses "a=1&b=x,y" (a leading '?' or "Type?" prefix is allowed). */
  public static SearchCriteria parse(String query) {
    String q = query == null ? "" : query;
    int qm = q.indexOf('?');
    if (qm >= 0) {
      q = q.substring(qm + 1);
    }
    Map<String, List<String>> raw = new java.util.LinkedHashMap<>();
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      raw.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return fromMap(raw);
  }

  /** From an already decoded parameter map (name with modifier → one entry per repetition). */
  public static SearchCriteria fromMap(Map<String, List<String>> params) {
    List<Clause> clauses = new ArrayList<>();
    for (var e : params.entrySet()) {
      String rawName = e.getKey();
      int colon = rawName.indexOf(':');
      String name = colon < 0 ? rawName : rawName.substring(0, colon);
      String modifier = colon < 0 ? null : rawName.substring(colon + 1);
      for (String v : e.getValue()) {
        clauses.add(new Clause(name, modifier, splitOr(v)));
      }
    }
    return new SearchCriteria(clauses);
  }

  /** Splits on commas not escaped with a backslash; {@code \,} becomes a comma, other escapes stay. */
  static List<String> splitOr(String value) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        // \, is a literal comma; any other escape stays for the value's own parsing (\| \$ \\)
        char next = value.charAt(++i);
        if (next != ',') {
          cur.append(c);
        }
        cur.append(next);
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  /** Decodes one name or value; a malformed %-escape or a NUL is the client's error, named as such. */
  private static String decode(String s) {
    String decoded;
    try {
      decoded = URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException("Malformed percent-encoding in search criteria '"
          + abbreviated(s) + "': '%' must be followed by two hexadecimal digits (a literal '%' is %25)");
    }
    if (decoded.indexOf('\0') >= 0) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException("Search criteria '" + abbreviated(s)
          + "' hold a NUL character (%00), which no search value can contain");
    }
    return decoded;
  }

  static String abbreviated(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }

  /**
   * Criteria built from values, for the server's own lookups (HL7 v2, DICOM, workflow, directory).
   * Nothing here is parsed: a comma, ampersand, bar, percent, plus, backslash or dollar in a value
   * matches only itself.
   */
  public static Builder where() {
    return new Builder();
  }

  /** Builds AND-ed clauses whose values are taken literally. */
  public static final class Builder {
    private final List<Clause> clauses = new ArrayList<>();

    private Builder() {}

    /** {@code param} has the token {@code system|code}; a null system means any system. */
    public Builder token(String param, String system, String code) {
      clauses.add(new Clause(param, null, List.of(tokenValue(system, code))));
      return this;
    }

    /** {@code param} has a token of {@code system}, whatever its code. */
    public Builder anyCodeOf(String param, String system) {
      if (system == null || system.isEmpty()) {
        throw new IllegalArgumentException("a system lookup needs a system");
      }
      clauses.add(new Clause(param, null, List.of(escape(system) + "|")));
      return this;
    }

    /** {@code param} has any of the tokens (system, code) given as pairs. */
    public Builder anyToken(String param, List<Token> tokens) {
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("no token values for " + param);
      }
      clauses.add(new Clause(param, null, tokens.stream().map(t -> tokenValue(t.system(), t.code())).toList()));
      return this;
    }

    /** {@code param} refers to {@code type/id}. */
    public Builder reference(String param, String type, String id) {
      requireId(id);
      clauses.add(new Clause(param, null, List.of(type + "/" + id)));
      return this;
    }

    /** {@code param} refers to a resource named by a relative reference ({@code Type/id}). */
    public Builder reference(String param, String typeSlashId) {
      int slash = typeSlashId == null ? -1 : typeSlashId.indexOf('/');
      if (slash <= 0) {
        throw new IllegalArgumentException("not a Type/id reference: " + typeSlashId);
      }
      return reference(param, typeSlashId.substring(0, slash), typeSlashId.substring(slash + 1));
    }

    /** {@code param} (a uri parameter) is exactly {@code uri}. */
    public Builder uri(String param, String uri) {
      if (uri == null || uri.isEmpty()) {
        throw new IllegalArgumentException("a uri lookup needs a value");
      }
      clauses.add(new Clause(param, null, List.of(uri)));
      return this;
    }

    /** The logical id is {@code id}. */
    public Builder id(String id) {
      requireId(id);
      clauses.add(new Clause("_id", null, List.of(id)));
      return this;
    }

    public SearchCriteria build() {
      return new SearchCriteria(List.copyOf(clauses));
    }

    private static String tokenValue(String system, String code) {
      if (code == null || code.isEmpty()) {
        // an empty code would mean "any code of the system": never what a lookup by value wants
        throw new IllegalArgumentException("a token lookup needs a code");
      }
      return system == null ? escape(code) : escape(system) + "|" + escape(code);
    }

    private static void requireId(String id) {
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("not a FHIR id: " + id);
      }
    }
  }

  /** A (system, code) pair; a null system means any system. */
  public record Token(String system, String code) {}

  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  /**
   * Escapes what a clause value's own parsing reads (backslash, bar, dollar). Commas need no escape:
   * a clause's values are already split, so a built value is never split again.
   */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '|' || c == '$') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Undoes {@link #escape}: {@code \\ \| \$ \,} are the character itself; any other backslash stays. */
  public static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && "\\|$,".indexOf(s.charAt(i + 1)) >= 0) {
        sb.append(s.charAt(++i));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A clause's values as query text: OR-ed by comma, a comma inside a value escaped. */
  public static String joinValues(List<String> values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(v.replace(",", "\\,"));
    }
    return sb.toString();
  }

  /** A canonical text of the criteria: clauses sorted, so equal criteria compare equal. */
  public String canonical() {
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (Clause c : clauses) {
      List<String> vs = new ArrayList<>(c.values());
      java.util.Collections.sort(vs);
      sorted.computeIfAbsent(c.rawName(), k -> new ArrayList<>()).add(joinValues(vs));
    }
    StringBuilder sb = new StringBuilder();
    for (var e : sorted.entrySet()) {
      java.util.Collections.sort(e.getValue());
      for (String v : e.getValue()) {
        if (sb.length() > 0) {
          sb.append('&');
        }
        sb.append(e.getKey()).append('=').append(v);
      }
    }
    return sb.toString();
  }

  public String canonicalHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(canonical().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
