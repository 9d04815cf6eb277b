package org.radbridge.server.search;

import java.text.Normalizer;
import java.time.Instant;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.time.LocalDate;
import java.time.YearMonth;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Pattern;

/** Normalisations shared by the indexer (write side) and the query builder (read side). */
public final class SearchValues {
  /** Open ends of periods are stored as these instants, so every date row has a closed range. */
  public static final Instant MIN_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
  public static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999Z");

  /** An index bound within the years 1-9999 (a year 0000 has no PostgreSQL timestamp). */
  public static Instant clamp(Instant i) {
    return i.isBefore(MIN_INSTANT) ? MIN_INSTANT : i.isAfter(MAX_INSTANT) ? MAX_INSTANT : i;
  }

  /** PostgreSQL numeric holds up to 131,072 digits before the decimal point and 16,383 after. */
  private static final int MAX_INTEGER_DIGITS = 131072;
  private static final int MAX_FRACTION_DIGITS = 16383;

  /** The number as the index can hold it; refused (422) when PostgreSQL cannot store it at all. */
  public static java.math.BigDecimal storable(String param, java.math.BigDecimal n) {
    if (n == null) {
      return null;
    }
    long integerDigits = (long) n.precision() - n.scale();
    if (n.scale() > MAX_FRACTION_DIGITS || integerDigits > MAX_INTEGER_DIGITS) {
      throw new ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException("The number "
          + abbreviated(n.toString()) + " of search parameter '" + param + "' is beyond what can be stored for"
          + " search (at most " + MAX_INTEGER_DIGITS + " digits before the decimal point and " + MAX_FRACTION_DIGITS
          + " after it)");
    }
    return n;
  }

  private static String abbreviated(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
  public static final int MAX_NORMALISED_LENGTH = 200;
  /** Longest token system/code kept in an index row (the rest is cut, on both write and query side). */
  public static final int MAX_TOKEN_LENGTH = 512;
  public static final int MAX_UNIT_LENGTH = 128;
  public static final int MAX_URI_LENGTH = 1024;

  /** The configured public base URL with a trailing '/', or null when it is taken from requests. */
  public static String ownBase(String baseUrl) {
    if (baseUrl == null || baseUrl.isBlank()) {
      return null;
    }
    return baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  }

  /** Cuts a value to what an index column holds; queries cut their values the same way. */
  public static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");

  private SearchValues() {}

  /** Case- and accent-insensitive form used for string search: NFD, marks removed, upper case. */
  public static String normalise(String value) {
    String decomposed = Normalizer.normalize(value, Normalizer.Form.NFD);
    String stripped = COMBINING_MARKS.matcher(decomposed).replaceAll("");
    String upper = stripped.toUpperCase(Locale.ROOT).trim();
    return upper.length() > MAX_NORMALISED_LENGTH ? upper.substring(0, MAX_NORMALISED_LENGTH) : upper;
  }

  /** Last instant (inclusive, millisecond resolution) of a range that starts at low and spans one unit. */
  public static Instant endOf(Instant low, ChronoUnit unit) {
    Instant next;
    switch (unit) {
      case YEARS -> next = LocalDate.ofInstant(low, ZoneOffset.UTC).plusYears(1).atStartOfDay().toInstant(ZoneOffset.UTC);
      case MONTHS -> next = LocalDate.ofInstant(low, ZoneOffset.UTC).plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC);
      default -> next = low.plus(1, unit);
    }
    return next.minusMillis(1);
  }
  /** The instants [first, last] (inclusive) that a date of the given precision covers, or null. */
  public static Instant[] range(BaseDateTimeType dt) {
    if (dt == null || dt.getValue() == null) {
      return null;
    }
    TemporalPrecisionEnum precision = dt.getPrecision();
    String s = dt.getValueAsString();
    Instant low;
    Instant high;
    switch (precision) {
      case YEAR -> {
        low = LocalDate.of(Integer.parseInt(s.substring(0, 4)), 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
        high = SearchValues.endOf(low, ChronoUnit.YEARS);
      }
      case MONTH -> {
        low = YearMonth.parse(s.substring(0, 7)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        high = SearchValues.endOf(low, ChronoUnit.MONTHS);
      }
      case DAY -> {
        low = LocalDate.parse(s.substring(0, 10)).atStartOfDay().toInstant(ZoneOffset.UTC);
        high = SearchValues.endOf(low, ChronoUnit.DAYS);
      }
      case MINUTE -> {
        low = dt.getValue().toInstant();
        high = SearchValues.endOf(low, ChronoUnit.MINUTES);
      }
      case SECOND -> {
        low = dt.getValue().toInstant();
        high = SearchValues.endOf(low, ChronoUnit.SECONDS);
      }
      default -> {
        low = dt.getValue().toInstant();
        high = low;
      }
    }
    return new Instant[] {low, high};
  }

}
