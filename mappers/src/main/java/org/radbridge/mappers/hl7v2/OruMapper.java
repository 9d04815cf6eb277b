package org.radbridge.mappers.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Reference;
import org.radbridge.terminology.NetworkUrls;

/**
 * ORU^R01 (v2.5.1 model) → a radiology {@code DiagnosticReport} claiming the network's profile,
 * after the HL7 V2-to-FHIR IG: OBR-25 result status (P preliminary, F final, C corrected, X
 * cancelled), OBR-4 code (the sender's local code; the caller adds LOINC), OBR-7 effective, OBR-22
 * issued, OBR-32 interpreter, the report text of TX/FT/ST OBX segments as the conclusion
 * ({@code \.br\} as a line break). Identified by the accession number (OBR-18), so a corrected
 * report is a new version of the same resource. The caller links order, study and patient.
 */
public final class OruMapper {
  public static final String PROFILE = NetworkUrls.structureDefinition("rb-diagnostic-report");
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuuMMddHHmmss");

  private OruMapper() {}

  public record MappedReport(OrmMapper.PatientData patient, DiagnosticReport report, String accessionNumber) {}

  public static MappedReport map(ORU_R01 message, String localCodeSystem, String identifierSystemBase, ZoneId zone)
      throws HL7Exception {
    OrmMapper.PatientData patient = OrmMapper.patient(message.getPATIENT_RESULT().getPATIENT().getPID());
    ORU_R01_ORDER_OBSERVATION order = message.getPATIENT_RESULT().getORDER_OBSERVATION();
    OBR obr = order.getOBR();
    String accession = obr.getPlacerField1().getValue();
    if (accession == null || accession.isBlank()) {
      throw new HL7Exception("OBR-18 (accession number) is empty");
    }
    DiagnosticReport dr = new DiagnosticReport();
    dr.getMeta().addProfile(PROFILE);
    dr.addIdentifier().setSystem(identifierSystemBase + "report").setValue(accession.trim());
    dr.setStatus(status(obr.getResultStatus().getValue()));
    dr.addCategory(new CodeableConcept(new Coding(NetworkUrls.V2_0074, "RAD", "Radiology")));
    CE code = obr.getUniversalServiceIdentifier();
    if (code.getIdentifier().getValue() == null) {
      throw new HL7Exception("OBR-4 (universal service identifier) is empty");
    }
    dr.getCode().addCoding(new Coding(localCodeSystem, code.getIdentifier().getValue(), code.getText().getValue()));
    dr.getCode().setText(code.getText().getValue());
    dateTime(obr.getObservationDateTime().getTime().getValue(), zone, "OBR-7").ifPresent(dr::setEffective);
    dateTime(obr.getResultsRptStatusChngDateTime().getTime().getValue(), zone, "OBR-22")
        .ifPresent(d -> dr.setIssued(d.getValue()));
    var interpreter = obr.getPrincipalResultInterpreter().getNDLName();
    String name = String.join(" ", nonNull(interpreter.getGivenName().getValue()),
        nonNull(interpreter.getFamilyName().getValue())).trim();
    if (!name.isEmpty() || interpreter.getIDNumber().getValue() != null) {
      dr.addResultsInterpreter(new Reference().setDisplay(name.isEmpty() ? interpreter.getIDNumber().getValue() : name));
    }
    StringBuilder text = new StringBuilder();
    for (ORU_R01_OBSERVATION observation : order.getOBSERVATIONAll()) {
      OBX obx = observation.getOBX();
      String valueType = obx.getValueType().getValue();
      if (!"TX".equals(valueType) && !"FT".equals(valueType) && !"ST".equals(valueType)) {
        continue;
      }
      for (var rep : obx.getObservationValue()) {
        Type data = rep.getData();
        String line = data == null ? null : data.encode();
        if (line == null) {
          continue;
        }
        line = unescape(line);
        if (text.length() > 0) {
          text.append('\n');
        }
        text.append(line);
      }
    }
    if (text.length() > 0) {
      dr.setConclusion(text.toString());
    }
    return new MappedReport(patient, dr, accession.trim());
  }

  static DiagnosticReport.DiagnosticReportStatus status(String v) throws HL7Exception {
    if (v == null || v.isBlank()) {
      throw new HL7Exception("OBR-25 (result status) is empty");
    }
    return switch (v.trim()) {
      case "P", "I", "R", "S" -> DiagnosticReport.DiagnosticReportStatus.PRELIMINARY;
      case "F" -> DiagnosticReport.DiagnosticReportStatus.FINAL;
      case "C" -> DiagnosticReport.DiagnosticReportStatus.CORRECTED;
      case "X" -> DiagnosticReport.DiagnosticReportStatus.CANCELLED;
      default -> throw new HL7Exception("OBR-25 result status '" + v + "' is not supported");
    };
  }

  /** HL7 escapes in report text: separators, and the formatting command \.br\ as a line break. */
  static String unescape(String s) {
    return s.replace("\\.br\\", "\n").replace("\\F\\", "|").replace("\\S\\", "^").replace("\\T\\", "&")
        .replace("\\R\\", "~").replace("\\E\\", "\\");
  }

  private static java.util.Optional<DateTimeType> dateTime(String v, ZoneId zone, String field) throws HL7Exception {
    return V2DateTimes.parse(v, zone, field);
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
