package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.Location;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with one field of a message, as an AE acknowledgement reports it: ERR-2 the field's
 * location, ERR-3 the HL7 table 0357 code, the text naming the field. Thrown by the mappers and the
 * server's message applications instead of a bare {@link HL7Exception}, so the ACK is built from
 * these values and never from the wording of a message.
 */
public final class V2FieldError extends HL7Exception {
  private static final Pattern FIELD = Pattern.compile("([A-Z][A-Z0-9]{2})(?:\\((\\d+)\\))?-(\\d+)(?:\\.(\\d+))?");

  private V2FieldError(String field, ErrorCode code, String text) {
    super(text, code);
    Location l = location(field);
    if (l != null) {
      setLocation(l);
    }
  }

  /** A required field is empty (101). */
  public static V2FieldError missing(String field, String text) {
    return new V2FieldError(field, ErrorCode.REQUIRED_FIELD_MISSING, text);
  }

  /** A value that is not of its data type or not possible (102). */
  public static V2FieldError badValue(String field, String text) {
    return new V2FieldError(field, ErrorCode.DATA_TYPE_ERROR, text);
  }

  /** A coded value this interface does not support (103). */
  public static V2FieldError unsupported(String field, String text) {
    return new V2FieldError(field, ErrorCode.TABLE_VALUE_NOT_FOUND, text);
  }

  /** A number or identifier that names nothing known, or several things (204). */
  public static V2FieldError unknownKey(String field, String text) {
    return new V2FieldError(field, ErrorCode.UNKNOWN_KEY_IDENTIFIER, text);
  }

  /** The sender may not do this with the field's value (207, application error). */
  public static V2FieldError refused(String field, String text) {
    return new V2FieldError(field, ErrorCode.APPLICATION_INTERNAL_ERROR, text);
  }

  /** "PID-3", "OBX(4)-5", "MRG-1.4": segment, repetition, field, component; null for anything else. */
  static Location location(String field) {
    Matcher m = FIELD.matcher(field == null ? "" : field);
    if (!m.matches()) {
      return null;
    }
    Location l = new Location().withSegmentName(m.group(1))
        .withSegmentRepetition(m.group(2) == null ? 1 : Integer.parseInt(m.group(2)))
        .withField(Integer.parseInt(m.group(3)));
    if (m.group(4) != null) {
      l.withComponent(Integer.parseInt(m.group(4)));
    }
    return l;
  }
}
