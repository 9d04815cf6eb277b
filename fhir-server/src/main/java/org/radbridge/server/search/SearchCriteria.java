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
 * Parsed from a query string ({@code identifier=sys|1&_id=a,b}).
 */
public final class SearchCriteria {
  /** One occurrence of a parameter: name, modifier (after ':'), and its comma-separated values. */
  public record Clause(String name, String modifier, List<String> values) {
    public String rawName() {
      return modifier == null ? name : name + ":" + modifier;
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

  /** Splits on commas not escaped with a backslash, and unescapes \, \| \$ \\. */
  static List<String> splitOr(String value) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
        cur.append(',');
        i++;
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

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** A canonical text of the criteria: clauses sorted, so equal criteria compare equal. */
  public String canonical() {
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (Clause c : clauses) {
      List<String> vs = new ArrayList<>(c.values());
      java.util.Collections.sort(vs);
      sorted.computeIfAbsent(c.rawName(), k -> new ArrayList<>()).add(String.join(",", vs));
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
