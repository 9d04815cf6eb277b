package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.PID;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * The MSH and PID of a message RadBridge sends: who sends it to whom, its control id (fixed when the
 * message is queued, so a resent message is recognisably the same one), UTF-8 per MSH-18, and the
 * patient with every identifier as a PID-3 repetition.
 *
 * @param authorityOf an identifier system's HL7 assigning authority (the network's issuer code),
 *     or null when it has none (then the system URI is sent as HD-2 with HD-3 {@code URI})
 */
public record V2Header(String sendingApplication, String sendingFacility, String receivingApplication,
    String receivingFacility, String controlId, Instant time, ZoneId zone, Function<String, String> authorityOf) {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuuMMddHHmmssZ");

  String timestamp(Instant instant) {
    return TS.format(instant.atZone(zone));
  }

  String timestamp(Date date) {
    return date == null ? null : timestamp(date.toInstant());
  }

  void fill(MSH msh, String type, String trigger, String structure) throws HL7Exception {
    msh.getFieldSeparator().setValue("|");
    msh.getEncodingCharacters().setValue("^~\\&");
    msh.getSendingApplication().getNamespaceID().setValue(sendingApplication);
    msh.getSendingFacility().getNamespaceID().setValue(sendingFacility);
    msh.getReceivingApplication().getNamespaceID().setValue(receivingApplication);
    msh.getReceivingFacility().getNamespaceID().setValue(receivingFacility);
    msh.getDateTimeOfMessage().getTime().setValue(timestamp(time));
    msh.getMessageType().getMessageCode().setValue(type);
    msh.getMessageType().getTriggerEvent().setValue(trigger);
    msh.getMessageType().getMessageStructure().setValue(structure);
    msh.getMessageControlID().setValue(controlId);
    msh.getProcessingID().getProcessingID().setValue("P");
    msh.getVersionID().getVersionID().setValue("2.5.1");
    msh.getCharacterSet(0).setValue("UNICODE UTF-8");
  }

  void fill(PID pid, Patient patient) throws HL7Exception {
    pid.getSetIDPID().setValue("1");
    int rep = 0;
    for (Identifier id : patient.getIdentifier()) {
      if (!id.hasValue()) {
        continue;
      }
      CX cx = pid.getPatientIdentifierList(rep++);
      cx.getIDNumber().setValue(id.getValue());
      String authority = id.hasSystem() ? authorityOf.apply(id.getSystem()) : null;
      if (authority != null) {
        cx.getAssigningAuthority().getNamespaceID().setValue(authority);
      } else if (id.hasSystem()) {
        cx.getAssigningAuthority().getUniversalID().setValue(id.getSystem());
        cx.getAssigningAuthority().getUniversalIDType().setValue("URI");
      }
      if (id.getType().hasCoding()) {
        cx.getIdentifierTypeCode().setValue(id.getType().getCodingFirstRep().getCode());
      }
    }
    if (patient.hasName()) {
      var name = patient.getNameFirstRep();
      pid.getPatientName(0).getFamilyName().getSurname().setValue(name.getFamily());
      if (name.hasGiven()) {
        pid.getPatientName(0).getGivenName().setValue(name.getGiven().get(0).getValue());
      }
    }
    if (patient.hasBirthDate()) {
      pid.getDateTimeOfBirth().getTime().setValue(patient.getBirthDateElement().getValueAsString().replace("-", ""));
    }
    if (patient.hasGender()) {
      pid.getAdministrativeSex().setValue(switch (patient.getGender()) {
        case MALE -> "M";
        case FEMALE -> "F";
        case OTHER -> "O";
        default -> "U";
      });
    }
  }
}
