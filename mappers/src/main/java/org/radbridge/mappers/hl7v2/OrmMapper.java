package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.XCN;
import ca.uhn.hl7v2.model.v251.datatype.XPN;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.PID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.terminology.NetworkUrls;

/**
 * ORM^O01 (read in the v2.5.1 model) → the patient's identity and demographics and a
 * {@code ServiceRequest} claiming the network's profile, after the HL7 V2-to-FHIR IG: ORC-1 order
 * control → status, ORC-2/ORC-3 placer/filler numbers, OBR-18 accession number, OBR-4 the sender's
 * local procedure code (the caller adds the LOINC translation), ORC-7/OBR-27 priority, ORC-12 /
 * OBR-16 requester, OBR-31 reason.
 */
public final class OrmMapper {
  public static final String PROFILE = NetworkUrls.structureDefinition("rb-service-request");

  private OrmMapper() {}

  /** The patient as the message identifies it: PID-3 (first repetition) with its assigning authority. */
  public record PatientData(String id, String assigningAuthority, String family, String given, String birthDate,
      String sex) {}

  public record MappedOrder(PatientData patient, ServiceRequest order, String placerNumber, String accessionNumber) {}

  /**
   * @param localCodeSystem the sender's local procedure code system (OBR-4 codes are in it)
   * @param identifierSystemBase the sender's identifier namespace (…/sid/<org>/), for placer, filler, accession
   * @throws HL7Exception naming the field that is missing or wrong
   */
  public static MappedOrder map(ORM_O01 message, String localCodeSystem, String identifierSystemBase)
      throws HL7Exception {
    PatientData patient = patient(message.getPATIENT().getPID());

    ORC orc = message.getORDER().getORC();
    OBR obr = message.getORDER().getORDER_DETAIL().getOBR();
    ServiceRequest sr = new ServiceRequest();
    sr.getMeta().addProfile(PROFILE);
    sr.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
    String control = orc.getOrderControl().getValue();
    sr.setStatus(status(control));
    String placer = orc.getPlacerOrderNumber().getEntityIdentifier().getValue();
    if (placer != null && !placer.isBlank()) {
      sr.addIdentifier().setType(new CodeableConcept(new Coding(NetworkUrls.V2_0203, "PLAC", null)))
          .setSystem(identifierSystemBase + "placer").setValue(placer);
    }
    String filler = orc.getFillerOrderNumber().getEntityIdentifier().getValue();
    if (filler != null && !filler.isBlank()) {
      sr.addIdentifier().setType(new CodeableConcept(new Coding(NetworkUrls.V2_0203, "FILL", null)))
          .setSystem(identifierSystemBase + "filler").setValue(filler);
    }
    String accession = obr.getPlacerField1().getValue();
    if (accession == null || accession.isBlank()) {
      throw new HL7Exception("OBR-18 (accession number) is empty");
    }
    sr.addIdentifier().setType(new CodeableConcept(new Coding(NetworkUrls.V2_0203, "ACSN", null)))
        .setSystem(identifierSystemBase + "accession").setValue(accession.trim());
    CE code = obr.getUniversalServiceIdentifier();
    if (code.getIdentifier().getValue() == null) {
      throw new HL7Exception("OBR-4 (universal service identifier) is empty");
    }
    sr.getCode().addCoding(new Coding(localCodeSystem, code.getIdentifier().getValue(), code.getText().getValue()));
    sr.getCode().setText(code.getText().getValue());
    String priority = orc.getQuantityTiming(0).getPriority().getValue();
    if (priority == null || priority.isBlank()) {
      priority = obr.getQuantityTiming(0).getPriority().getValue();
    }
    sr.setPriority(priority(priority));
    XCN requester = orc.getOrderingProvider(0).getIDNumber().getValue() != null ? orc.getOrderingProvider(0)
        : obr.getOrderingProvider(0);
    if (requester.getIDNumber().getValue() != null || requester.getFamilyName().getSurname().getValue() != null) {
      String display = String.join(" ", nonNull(requester.getGivenName().getValue()),
          nonNull(requester.getFamilyName().getSurname().getValue())).trim();
      Reference r = new Reference().setDisplay(display.isEmpty() ? requester.getIDNumber().getValue() : display);
      if (requester.getIDNumber().getValue() != null) {
        r.getIdentifier().setSystem(identifierSystemBase + "staff").setValue(requester.getIDNumber().getValue());
      }
      sr.setRequester(r);
    }
    String reason = obr.getReasonForStudy(0).getText().getValue();
    if (reason != null && !reason.isBlank()) {
      sr.addReasonCode().setText(reason);
    }
    return new MappedOrder(patient, sr, placer, accession.trim());
  }

  /** PID-3 (first repetition, with its assigning authority), PID-5, PID-7, PID-8. */
  public static PatientData patient(PID pid) throws HL7Exception {
    CX cx = pid.getPatientIdentifierList(0);
    String patientId = cx.getIDNumber().getValue();
    if (patientId == null || patientId.isBlank()) {
      throw new HL7Exception("PID-3 (patient identifier) is empty");
    }
    XPN name = pid.getPatientName(0);
    return new PatientData(patientId.trim(), cx.getAssigningAuthority().getNamespaceID().getValue(),
        name.getFamilyName().getSurname().getValue(), name.getGivenName().getValue(),
        pid.getDateTimeOfBirth().getTime().getValue(), pid.getAdministrativeSex().getValue());
  }

  static ServiceRequest.ServiceRequestStatus status(String orderControl) throws HL7Exception {
    if (orderControl == null) {
      throw new HL7Exception("ORC-1 (order control) is empty");
    }
    return switch (orderControl.trim()) {
      case "NW", "XO", "SC" -> ServiceRequest.ServiceRequestStatus.ACTIVE;
      case "CA", "DC", "OC" -> ServiceRequest.ServiceRequestStatus.REVOKED;
      case "HD" -> ServiceRequest.ServiceRequestStatus.ONHOLD;
      default -> throw new HL7Exception("ORC-1 order control '" + orderControl + "' is not supported");
    };
  }

  static ServiceRequest.ServiceRequestPriority priority(String v) {
    if (v == null) {
      return ServiceRequest.ServiceRequestPriority.ROUTINE;
    }
    return switch (v.trim()) {
      case "S" -> ServiceRequest.ServiceRequestPriority.STAT;
      case "A" -> ServiceRequest.ServiceRequestPriority.ASAP;
      case "P", "C", "T" -> ServiceRequest.ServiceRequestPriority.URGENT;
      default -> ServiceRequest.ServiceRequestPriority.ROUTINE;
    };
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
