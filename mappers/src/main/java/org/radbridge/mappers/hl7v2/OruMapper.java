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
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
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

  /**
   * The mapped report, its Observations (one per coded or numeric OBX, identified by the report key
   * and OBX-1 so a correction updates them) and the numbers that link it to its order: accession
   * (OBR-18), placer (OBR-2) and filler (OBR-3), each with its namespace (EI-2) where one is given.
   */
  public record MappedReport(OrmMapper.PatientData patient, DiagnosticReport report, List<Observation> observations,
      String accessionNumber, EntityId placer, EntityId filler) {
    /** The value the report is identified by: accession, else filler, else placer number. */
    public String key() {
      return accessionNumber != null ? accessionNumber : filler != null ? filler.value() : placer.value();
    }
  }

  /** An entity identifier (EI): value and namespace (EI-2, may be null). */
  public record EntityId(String value, String namespace) {
    static EntityId of(ca.uhn.hl7v2.model.v251.datatype.EI ei) {
      String v = ei.getEntityIdentifier().getValue();
      return v == null || v.isBlank() ? null : new EntityId(v.trim(), blankToNull(ei.getNamespaceID().getValue()));
    }
  }

  public static MappedReport map(ORU_R01 message, String localCodeSystem, String identifierSystemBase, ZoneId zone)
      throws HL7Exception {
    OrmMapper.PatientData patient = OrmMapper.patient(message.getPATIENT_RESULT().getPATIENT().getPID());
    ORU_R01_ORDER_OBSERVATION order = message.getPATIENT_RESULT().getORDER_OBSERVATION();
    OBR obr = order.getOBR();
    String accession = blankToNull(obr.getPlacerField1().getValue());
    EntityId placer = EntityId.of(obr.getPlacerOrderNumber());
    EntityId filler = EntityId.of(obr.getFillerOrderNumber());
    if (accession == null && placer == null && filler == null) {
      throw V2FieldError.missing("OBR-18", "OBR-18 (accession number), OBR-2 (placer number) and OBR-3 (filler number) are all "
          + "empty: the report names no order");
    }
    String key = accession != null ? accession.trim() : filler != null ? filler.value() : placer.value();
    DiagnosticReport dr = new DiagnosticReport();
    dr.getMeta().addProfile(PROFILE);
    dr.addIdentifier().setSystem(identifierSystemBase + "report").setValue(key);
    dr.setStatus(status(obr.getResultStatus().getValue()));
    dr.addCategory(new CodeableConcept(new Coding(NetworkUrls.V2_0074, "RAD", "Radiology")));
    CE code = obr.getUniversalServiceIdentifier();
    if (code.getIdentifier().getValue() == null) {
      throw V2FieldError.missing("OBR-4", "OBR-4 (universal service identifier) is empty");
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
    List<Observation> observations = new ArrayList<>();
    for (ORU_R01_OBSERVATION observation : order.getOBSERVATIONAll()) {
      OBX obx = observation.getOBX();
      String valueType = obx.getValueType().getValue();
      if (!"TX".equals(valueType) && !"FT".equals(valueType) && !"ST".equals(valueType)) {
        observation(obx, valueType, localCodeSystem, identifierSystemBase + "report-observation", key, dr, zone)
            .ifPresent(observations::add);
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
    return new MappedReport(patient, dr, observations, accession == null ? null : accession.trim(), placer, filler);
  }

  /**
   * A coded (CWE, CE, CNE) or numeric (NM) OBX as an Observation: OBX-3 code, OBX-5 value, OBX-6
   * units, OBX-11 status, OBX-14 effective (else the report's). Other value types carry no
   * structured result and are skipped.
   */
  static java.util.Optional<Observation> observation(OBX obx, String valueType, String localCodeSystem,
      String system, String reportKey, DiagnosticReport dr, ZoneId zone) throws HL7Exception {
    if (obx.getObservationValue().length == 0 || obx.getObservationValue(0).getData() == null
        || obx.getObservationValue(0).getData().isEmpty()) {
      return java.util.Optional.empty();
    }
    String setId = obx.getSetIDOBX().getValue();
    String field = "OBX" + (setId == null ? "" : "(" + setId + ")");
    Observation o = new Observation();
    o.addIdentifier().setSystem(system).setValue(reportKey + "-" + (setId == null ? "1" : setId.trim()));
    o.setStatus(observationStatus(obx.getObservationResultStatus().getValue(), dr));
    o.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/observation-category",
        "imaging", "Imaging")));
    CE code = obx.getObservationIdentifier();
    if (code.getIdentifier().getValue() == null) {
      throw V2FieldError.missing(field + "-3", field + "-3 (observation identifier) is empty");
    }
    o.setCode(codeOf(code, localCodeSystem));
    Type data = obx.getObservationValue(0).getData();
    switch (valueType) {
      case "CWE", "CE", "CNE" -> {
        CE value = new CE(obx.getMessage());
        value.parse(data.encode());
        o.setValue(codeOf(value, localCodeSystem));
      }
      case "NM" -> {
        String number = data.encode().trim();
        if (!number.matches("[+-]?\\d+(\\.\\d+)?")) {
          throw V2FieldError.badValue(field + "-5", field + "-5 '" + number + "' is not a number (OBX-2 is NM)");
        }
        var q = new org.hl7.fhir.r4.model.Quantity().setValue(new java.math.BigDecimal(number));
        String unit = obx.getUnits().getIdentifier().getValue();
        if (unit != null) {
          q.setUnit(unit).setCode(unit).setSystem("http://unitsofmeasure.org");
        }
        o.setValue(q);
      }
      default -> {
        return java.util.Optional.empty();
      }
    }
    java.util.Optional<DateTimeType> effective = dateTime(obx.getDateTimeOfTheObservation().getTime().getValue(), zone,
        field + "-14");
    if (effective.isPresent()) {
      o.setEffective(effective.get());
    } else if (dr.hasEffective()) {
      o.setEffective(dr.getEffective().copy());
    }
    return java.util.Optional.of(o);
  }

  /** OBX-3 / a CWE value: LN → LOINC, RADLEX → RadLex, anything else the sender's local system. */
  private static CodeableConcept codeOf(CE ce, String localCodeSystem) {
    String system = ce.getNameOfCodingSystem().getValue();
    String uri = system == null || "L".equals(system) || system.startsWith("99")
        ? localCodeSystem : switch (system) {
          case "LN" -> "http://loinc.org";
          case "RADLEX" -> "http://radlex.org";
          case "SCT", "SNM3" -> "http://snomed.info/sct";
          default -> "urn:hl7v2:coding-system:" + system;
        };
    CodeableConcept cc = new CodeableConcept();
    cc.addCoding(new Coding(uri, ce.getIdentifier().getValue().trim(), ce.getText().getValue()));
    cc.setText(ce.getText().getValue());
    return cc;
  }

  private static Observation.ObservationStatus observationStatus(String v, DiagnosticReport dr) throws HL7Exception {
    if (v == null || v.isBlank()) {
      return switch (dr.getStatus()) {
        case PRELIMINARY -> Observation.ObservationStatus.PRELIMINARY;
        case CORRECTED -> Observation.ObservationStatus.CORRECTED;
        case CANCELLED -> Observation.ObservationStatus.CANCELLED;
        default -> Observation.ObservationStatus.FINAL;
      };
    }
    return switch (v.trim()) {
      case "P", "R", "S", "I" -> Observation.ObservationStatus.PRELIMINARY;
      case "F", "U" -> Observation.ObservationStatus.FINAL;
      case "C" -> Observation.ObservationStatus.CORRECTED;
      case "X", "D", "W" -> Observation.ObservationStatus.CANCELLED;
      default -> throw V2FieldError.unsupported("OBX-11", "OBX-11 result status '" + v + "' is not supported");
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  static DiagnosticReport.DiagnosticReportStatus status(String v) throws HL7Exception {
    if (v == null || v.isBlank()) {
      throw V2FieldError.missing("OBR-25", "OBR-25 (result status) is empty");
    }
    return switch (v.trim()) {
      case "P", "I", "R", "S" -> DiagnosticReport.DiagnosticReportStatus.PRELIMINARY;
      case "F" -> DiagnosticReport.DiagnosticReportStatus.FINAL;
      case "C" -> DiagnosticReport.DiagnosticReportStatus.CORRECTED;
      case "X" -> DiagnosticReport.DiagnosticReportStatus.CANCELLED;
      default -> throw V2FieldError.unsupported("OBR-25", "OBR-25 result status '" + v + "' is not supported");
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
