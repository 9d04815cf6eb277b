package org.radbridge.mappers.hl7v2;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.hl7v2.HL7Exception;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.DateTimeType;

/**
 * HL7 v2 DTM/TS values (YYYYMMDD[HHMM[SS]][+ZZZZ]) read strictly: an unparseable or impossible
 * value (month 13, 30 February) is an error naming the field, never a guess. Values without an
 * offset are in the network's zone.
 */
public final class V2DateTimes {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuuMMdd")
      .withResolverStyle(ResolverStyle.STRICT);

  private V2DateTimes() {}

  /** A date and time to the second (minutes at least); empty when the field is empty. */
  public static Optional<DateTimeType> parse(String v, ZoneId zone, String field) throws HL7Exception {
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    java.util.regex.Matcher offset = java.util.regex.Pattern.compile("([+-])(\\d{2})(\\d{2})$").matcher(v.trim());
    ZoneId in = zone;
    if (offset.find()) {
      // the sender said which offset it means: that wins over the configured zone
      try {
        in = java.time.ZoneOffset.ofHoursMinutes(Integer.parseInt(offset.group(1) + offset.group(2)),
            Integer.parseInt(offset.group(1) + offset.group(3)));
      } catch (DateTimeException e) {
        throw V2FieldError.badValue(field, field + " '" + v + "' has an impossible UTC offset");
      }
    }
    String digits = v.trim().replaceAll("[+-]\\d{4}$", "").replaceAll("\\.\\d+$", "");
    if (!digits.matches("\\d{12,14}")) {
      throw V2FieldError.badValue(field, field + " '" + v + "' is not a date and time (YYYYMMDDHHMM[SS])");
    }
    String seconds = digits.length() >= 14 ? digits.substring(0, 14) : (digits.substring(0, 12) + "00");
    try {
      LocalDateTime ldt = LocalDateTime.parse(seconds, TS);
      return Optional.of(new DateTimeType(Date.from(ldt.atZone(in).toInstant()), TemporalPrecisionEnum.SECOND,
          TimeZone.getTimeZone(in)));
    } catch (DateTimeException e) {
      throw V2FieldError.badValue(field, field + " '" + v + "' is not a valid date and time");
    }
  }

  /** A date (the first 8 digits of a DT/DTM), checked to exist. */
  public static LocalDate date(String v, String field) throws HL7Exception {
    String digits = v.trim();
    if (!digits.matches("\\d{8}.*")) {
      throw V2FieldError.badValue(field, field + " '" + v + "' is not a date (YYYYMMDD)");
    }
    try {
      return LocalDate.parse(digits.substring(0, 8), DATE);
    } catch (DateTimeException e) {
      throw V2FieldError.badValue(field, field + " '" + v + "' is not a valid date");
    }
  }
}
