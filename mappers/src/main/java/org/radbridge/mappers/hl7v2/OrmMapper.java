package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.XCN;
import ca.uhn.hl7v2.model.v251.datatype.XPN;
import ca.uhn.hl7v2.model.v251.group.OMI_O23_ORDER;
import ca.uhn.hl7v2.model.v251.message.OMI_O23;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import ca.uhn.hl7v2.model.v251.segment.IPC;
import ca.uhn.hl7v2.model.v251.segment.TQ1;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Pattern;
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
 * control → status, ORC-2/ORC-3 placer/filler numbers, OBR-18 accession number (none: a placer-only
 * order, the hub assigns one), OBR-4 the sender's
 * local procedure code (the caller adds the LOINC translation), ORC-7/OBR-27 priority, ORC-12 /
 * OBR-16 requester, OBR-31 reason.
 */
public final class OrmMapper {
  public static final String PROFILE = NetworkUrls.structureDefinition("rb-service-request");
  public static final String DICOM_UID = "urn:dicom:uid";
  public static final String RP_ID = "https://radbridge.org/fhir/sid/requested-procedure-id";
  public static final String SPS_ID = "https://radbridge.org/fhir/sid/sps-id";
  private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  private static final Pattern UID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");

  private OrmMapper() {}

  /** The patient as the message identifies it: PID-3 (first repetition) with its assigning authority. */
  public record PatientData(String id, String assigningAuthority, String family, String given, String birthDate,
      String sex) {}

  /** The order and its numbers as sent (each null when the message has none; the accession may be IPC-1's). */
  public record MappedOrder(PatientData patient, ServiceRequest order, String placerNumber, String fillerNumber,
      String accessionNumber) {}

  /**
   * @param localCodeSystem the sender's local procedure code system (OBR-4 codes are in it)
   * @param identifierSystemBase the sender's identifier namespace (…/sid/<org>/), for placer, filler, accession
   * @throws HL7Exception naming the field that is missing or wrong
   */
  public static MappedOrder map(ORM_O01 message, String localCodeSystem, String identifierSystemBase)
      throws HL7Exception {
    return map(message.getPATIENT().getPID(), message.getORDER().getORC(),
        message.getORDER().getORDER_DETAIL().getOBR(), null, List.of(), localCodeSystem, identifierSystemBase, null);
  }

  /**
   * OMI^O23 (imaging order): as ORM, plus TQ1 timing (priority, start) and IPC imaging procedure
   * control — the Study Instance UID (IPC-3), Requested Procedure ID (IPC-2), SPS ID (IPC-4) and
   * modality (IPC-5) that the order management system already assigned.
   */
  public static MappedOrder map(OMI_O23 message, String localCodeSystem, String identifierSystemBase, ZoneId zone)
      throws HL7Exception {
    OMI_O23_ORDER order = message.getORDER();
    TQ1 tq1 = order.getTIMINGReps() > 0 ? order.getTIMING().getTQ1() : null;
    return map(message.getPATIENT().getPID(), order.getORC(), order.getOBR(), tq1, order.getIPCAll(),
        localCodeSystem, identifierSystemBase, zone);
  }

  private static MappedOrder map(PID pid, ORC orc, OBR obr, TQ1 tq1, List<IPC> ipcs, String localCodeSystem,
      String identifierSystemBase, ZoneId zone) throws HL7Exception {
    PatientData patient = patient(pid);
    ServiceRequest sr = new ServiceRequest();
    sr.getMeta().addProfile(PROFILE);
    sr.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
    String control = orc.getOrderControl().getValue();
    sr.setStatus(status(control, orc.getOrderStatus().getValue()));
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
    // OBR-18, else OMI's IPC-1; none at all is a placer-only order: the hub, as order filler, assigns one
    String accession = firstNonBlank(obr.getPlacerField1().getValue(), ipcAccession(ipcs));
    if (accession != null) {
      sr.addIdentifier().setType(new CodeableConcept(new Coding(NetworkUrls.V2_0203, "ACSN", null)))
          .setSystem(identifierSystemBase + "accession").setValue(accession);
    }
    CE code = obr.getUniversalServiceIdentifier();
    if (code.getIdentifier().getValue() == null) {
      throw V2FieldError.missing("OBR-4", "OBR-4 (universal service identifier) is empty");
    }
    sr.setCode(procedureCode(code, localCodeSystem));
    String priority = tq1 == null ? null : tq1.getPriority(0).getIdentifier().getValue();
    if (priority == null || priority.isBlank()) {
      priority = orc.getQuantityTiming(0).getPriority().getValue();
    }
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
    // when the exam is wanted: TQ1-7, else the TQ start of ORC-7 / OBR-27
    String start = tq1 == null ? null : tq1.getStartDateTime().getTime().getValue();
    String startField = "TQ1-7";
    if (start == null || start.isBlank()) {
      start = orc.getQuantityTiming(0).getStartDateTime().getTime().getValue();
      startField = "ORC-7.4";
    }
    if (start == null || start.isBlank()) {
      start = obr.getQuantityTiming(0).getStartDateTime().getTime().getValue();
      startField = "OBR-27.4";
    }
    V2DateTimes.parse(start, zone == null ? ZoneId.systemDefault() : zone, startField).ifPresent(sr::setOccurrence);
    for (IPC ipc : ipcs) {
      imagingProcedureControl(ipc, accession, sr);
    }
    return new MappedOrder(patient, sr, blankToNull(placer), blankToNull(filler), accession);
  }

  /**
   * OBR-4 as a CodeableConcept: the identifier in its coding system (L or none: the sender's local
   * system; LN: LOINC), and the alternate identifier (CE-4..6) when the sender also gives one.
   */
  public static CodeableConcept procedureCode(CE code, String localCodeSystem) {
    CodeableConcept cc = new CodeableConcept();
    cc.addCoding(new Coding(codeSystem(code.getNameOfCodingSystem().getValue(), localCodeSystem),
        code.getIdentifier().getValue().trim(), code.getText().getValue()));
    String alt = code.getAlternateIdentifier().getValue();
    if (alt != null && !alt.isBlank()) {
      cc.addCoding(new Coding(codeSystem(code.getNameOfAlternateCodingSystem().getValue(), localCodeSystem),
          alt.trim(), code.getAlternateText().getValue()));
    }
    cc.setText(code.getText().getValue());
    return cc;
  }

  private static String codeSystem(String v2System, String localCodeSystem) {
    return v2System != null && ("LN".equals(v2System.trim()) || "LOINC".equals(v2System.trim()))
        ? "http://loinc.org" : localCodeSystem;
  }

  /** IPC: the DICOM identifiers assigned upstream, kept as the order's (the workflow assigns none then). */
  private static void imagingProcedureControl(IPC ipc, String accession, ServiceRequest sr) throws HL7Exception {
    String ipcAccession = ipc.getAccessionIdentifier().getEntityIdentifier().getValue();
    if (ipcAccession != null && !ipcAccession.isBlank() && !ipcAccession.trim().equals(accession)) {
      throw V2FieldError.badValue("IPC-1", "IPC-1 accession identifier '" + ipcAccession
          + "' differs from the order's accession number '" + accession + "' (OBR-18 or the first IPC-1)");
    }
    String uid = ipc.getStudyInstanceUID().getEntityIdentifier().getValue();
    if (uid != null && !uid.isBlank()) {
      uid = uid.trim();
      if (uid.length() > 64 || !UID.matcher(uid).matches()) {
        throw V2FieldError.badValue("IPC-3", "IPC-3 study instance UID '" + uid + "' is not a DICOM UID");
      }
      if (sr.getIdentifier().stream().noneMatch(i -> DICOM_UID.equals(i.getSystem()))) {
        sr.addIdentifier().setSystem(DICOM_UID).setValue("urn:oid:" + uid);
      }
    }
    addOnce(sr, RP_ID, ipc.getRequestedProcedureID().getEntityIdentifier().getValue());
    addOnce(sr, SPS_ID, ipc.getScheduledProcedureStepID().getEntityIdentifier().getValue());
    String modality = ipc.getModality().getIdentifier().getValue();
    if (modality != null && !modality.isBlank()
        && sr.getPerformerType().getCoding().stream().noneMatch(c -> DCM.equals(c.getSystem()))) {
      sr.getPerformerType().addCoding(new Coding(DCM, modality.trim(), null));
    }
  }

  private static void addOnce(ServiceRequest sr, String system, String value) {
    if (value != null && !value.isBlank() && sr.getIdentifier().stream().noneMatch(i -> system.equals(i.getSystem()))) {
      sr.addIdentifier().setSystem(system).setValue(value.trim());
    }
  }

  /** PID-3 (first repetition, with its assigning authority), PID-5, PID-7, PID-8. */
  public static PatientData patient(PID pid) throws HL7Exception {
    CX cx = primaryIdentifier(pid);
    String patientId = cx.getIDNumber().getValue();
    if (patientId == null || patientId.isBlank()) {
      throw V2FieldError.missing("PID-3", "PID-3 (patient identifier) is empty");
    }
    String birth = pid.getDateTimeOfBirth().getTime().getValue();
    if (birth != null && !birth.isBlank()) {
      V2DateTimes.date(birth, "PID-7"); // an impossible birth date is an error, not a guess
    }
    XPN name = pid.getPatientName(0);
    return new PatientData(patientId.trim(), cx.getAssigningAuthority().getNamespaceID().getValue(),
        name.getFamilyName().getSurname().getValue(), name.getGivenName().getValue(),
        pid.getDateTimeOfBirth().getTime().getValue(), pid.getAdministrativeSex().getValue());
  }

  /**
   * ORC-1 order control, refined by ORC-5 order status when the control only says "changed" or
   * "status changed" (V2-to-FHIR IG ORC maps): NW/XO/SC/RL active, CA/OC/DC/OD revoked, HD/OH on hold.
   */
  /**
   * The repetition of PID-3 that identifies the patient to the sender: the first typed MR (medical
   * record number), else the first that has a value (senders also repeat national IDs, PI, etc.).
   */
  static CX primaryIdentifier(PID pid) {
    CX first = pid.getPatientIdentifierList(0);
    for (CX cx : pid.getPatientIdentifierList()) {
      String value = cx.getIDNumber().getValue();
      if (value == null || value.isBlank()) {
        continue;
      }
      if ("MR".equals(cx.getIdentifierTypeCode().getValue())) {
        return cx;
      }
      if (first.getIDNumber().getValue() == null || first.getIDNumber().getValue().isBlank()) {
        first = cx;
      }
    }
    return first;
  }

  static ServiceRequest.ServiceRequestStatus status(String orderControl, String orderStatus) throws HL7Exception {
    if (orderControl == null || orderControl.isBlank()) {
      throw V2FieldError.missing("ORC-1", "ORC-1 (order control) is empty");
    }
    ServiceRequest.ServiceRequestStatus byControl = switch (orderControl.trim()) {
      case "NW", "XO", "SC", "RL", "RO" -> ServiceRequest.ServiceRequestStatus.ACTIVE;
      case "CA", "OC", "CR", "DC", "OD", "DR" -> ServiceRequest.ServiceRequestStatus.REVOKED;
      case "HD", "OH" -> ServiceRequest.ServiceRequestStatus.ONHOLD;
      default -> throw V2FieldError.unsupported("ORC-1", "ORC-1 order control '" + orderControl + "' is not supported");
    };
    if (orderStatus == null || orderStatus.isBlank() || byControl != ServiceRequest.ServiceRequestStatus.ACTIVE) {
      return byControl;
    }
    return switch (orderStatus.trim()) {
      case "CA", "DC" -> ServiceRequest.ServiceRequestStatus.REVOKED;
      case "HD" -> ServiceRequest.ServiceRequestStatus.ONHOLD;
      case "CM" -> ServiceRequest.ServiceRequestStatus.COMPLETED;
      case "A", "IP", "SC" -> ServiceRequest.ServiceRequestStatus.ACTIVE;
      default -> throw V2FieldError.unsupported("ORC-5", "ORC-5 order status '" + orderStatus + "' is not supported");
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

  /** The first IPC-1 accession identifier that has a value. */
  private static String ipcAccession(List<IPC> ipcs) {
    for (IPC ipc : ipcs) {
      String v = ipc.getAccessionIdentifier().getEntityIdentifier().getValue();
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
