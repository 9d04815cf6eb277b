package org.radbridge.server.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The search index rows extracted from one resource version, one list per index table. */
public final class IndexRows {
  public record StringRow(String param, String valueNorm, String valueExact) {}
  public record TokenRow(String param, String system, String code, String textNorm) {}
  public record ReferenceRow(String param, String targetType, String targetId, String targetUrl) {}
  public record DateRow(String param, Instant low, Instant high) {}
  public record NumberRow(String param, BigDecimal value) {}
  public record QuantityRow(String param, BigDecimal value, String system, String code, String unit) {}
  public record UriRow(String param, String uri) {}

  public final List<StringRow> strings = new ArrayList<>();
  public final List<TokenRow> tokens = new ArrayList<>();
  public final List<ReferenceRow> references = new ArrayList<>();
  public final List<DateRow> dates = new ArrayList<>();
  public final List<NumberRow> numbers = new ArrayList<>();
  public final List<QuantityRow> quantities = new ArrayList<>();
  public final List<UriRow> uris = new ArrayList<>();

  /** Drops repeated rows (the same code from several codings or instances): one row answers them all. */
  public IndexRows deduplicated() {
    dedupe(strings);
    dedupe(tokens);
    dedupe(references);
    dedupe(dates);
    dedupe(numbers);
    dedupe(quantities);
    dedupe(uris);
    return this;
  }

  private static <T> void dedupe(List<T> rows) {
    if (rows.size() > 1) {
      List<T> unique = new ArrayList<>(new java.util.LinkedHashSet<>(rows));
      rows.clear();
      rows.addAll(unique);
    }
  }

  public int size() {
    return strings.size() + tokens.size() + references.size() + dates.size() + numbers.size()
        + quantities.size() + uris.size();
  }
}
