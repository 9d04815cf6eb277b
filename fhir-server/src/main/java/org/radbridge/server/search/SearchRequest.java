package org.radbridge.server.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A type search as a client asked for it: filter criteria plus the result parameters that shape
 * the bundle (_sort, _count, _total, _include, _revinclude).
 */
public record SearchRequest(
    String type,
    SearchCriteria criteria,
    List<SortKey> sort,
    int count,
    String total,
    List<String> includes,
    List<String> revIncludes,
    org.radbridge.server.store.Visibility visibility) {

  /** The same search for a reader who sees only what {@code v} lets them. */
  public SearchRequest withVisibility(org.radbridge.server.store.Visibility v) {
    return new SearchRequest(type, criteria, sort, count, total, includes, revIncludes, v);
  }

  /** Splits a decoded parameter map into filters and result parameters. */
  public static SearchRequest from(String type, Map<String, String[]> params, int defaultCount, int maxCount) {
    Map<String, List<String>> filters = new java.util.LinkedHashMap<>();
    List<SortKey> sort = new ArrayList<>();
    List<String> includes = new ArrayList<>();
    List<String> revIncludes = new ArrayList<>();
    int count = defaultCount;
    String total = "none";
    for (var e : params.entrySet()) {
      String name = e.getKey();
      for (String v : e.getValue()) {
        switch (name) {
          case "_sort" -> {
            for (String s : v.split(",")) {
              if (!s.isBlank()) sort.add(SortKey.parse(s.trim()));
            }
          }
          case "_count" -> count = count(v, maxCount);
          case "_summary" -> {
            if (!SUMMARY_VALUES.contains(v)) {
              throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
                  "_summary must be true, false, text, data or count, not '" + SearchCriteria.abbreviated(v) + "'");
            }
          }
          case "_total" -> {
            if (!List.of("none", "estimate", "accurate").contains(v)) {
              throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
                  "_total must be none, estimate or accurate, not '" + v + "'");
            }
            total = v;
          }
          case "_include", "_include:iterate", "_include:recurse" -> includes.add(name.endsWith("te") || name.endsWith("se") ? "iterate:" + v : v);
          case "_revinclude", "_revinclude:iterate", "_revinclude:recurse" -> revIncludes.add(name.contains(":") ? "iterate:" + v : v);
          default -> {
            if (!SearchSqlBuilder.RESULT_PARAMS.contains(name)) {
              filters.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            }
          }
        }
      }
    }
    return new SearchRequest(type, SearchCriteria.fromMap(filters), sort, count, total, includes, revIncludes,
        org.radbridge.server.store.Visibility.EVERYTHING);
  }

  private static final List<String> SUMMARY_VALUES = List.of("true", "false", "text", "data", "count");

  /** _count as asked, held to the limit (a number beyond any int is the limit too). */
  static int count(String v, int maxCount) {
    if (!v.matches("-?\\d{1,18}")) {
      if (v.matches("\\d+")) {
        return maxCount;
      }
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException("_count must be a number, not '"
          + SearchCriteria.abbreviated(v) + "'");
    }
    long n = Long.parseLong(v);
    if (n < 0) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException("_count must not be negative");
    }
    return (int) Math.min(n, maxCount);
  }

  /** The same request with other filter criteria. */
  public SearchRequest withCriteria(SearchCriteria c) {
    return new SearchRequest(type, c, sort, count, total, includes, revIncludes, visibility);
  }
}
