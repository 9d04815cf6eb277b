package org.radbridge.mappers.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import java.time.ZoneId;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

class OruMapperTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final String BASE = "https://radbridge.org/fhir/sid/city-hospital/";

  private static OruMapper.MappedReport fixture() throws Exception {
    return OruMapper.map((ORU_R01) Fixtures.utf8("oru-r01-ris-city-final.hl7"), "urn:local", BASE, SHANGHAI);
  }

  @Test
  void reportTextIsUnescapedAcrossItsObxSegments() throws Exception {
    DiagnosticReport dr = fixture().report();
    assertThat(dr.getStatus()).isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
    assertThat(dr.getConclusion()).isEqualTo(String.join("\n",
        "Technique: axial 5 mm, no contrast.",
        "Findings: no intracranial haemorrhage & no mass effect.",
        "Ventricles normal in size|configuration.",
        "Impression: normal CT head (see \\ note)."));
    assertThat(dr.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-12-04T09:35:12+08:00");
    assertThat(dr.getIssued()).isEqualTo(java.time.Instant.parse("2026-12-04T01:54:00Z"));
    assertThat(dr.getResultsInterpreterFirstRep().getDisplay()).isEqualTo("美 陈");
    assertThat(dr.getIdentifierFirstRep().getValue()).isEqualTo("A88001");
  }

  @Test
  void theOrderNumbersAreAllRead() throws Exception {
    OruMapper.MappedReport m = fixture();
    assertThat(m.accessionNumber()).isEqualTo("A88001");
    assertThat(m.placer()).isEqualTo(new OruMapper.EntityId("PL-A88001", "HIS_A"));
    assertThat(m.filler()).isEqualTo(new OruMapper.EntityId("F-55101", "RIS_CITY"));
  }

  @Test
  void aCodedObxIsAnObservation() throws Exception {
    assertThat(fixture().observations()).hasSize(1);
    Observation o = fixture().observations().get(0);
    assertThat(o.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
    assertThat(o.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://loinc.org");
    assertThat(o.getCode().getCodingFirstRep().getCode()).isEqualTo("59776-5");
    CodeableConcept v = o.getValueCodeableConcept();
    assertThat(v.getCodingFirstRep().getSystem()).isEqualTo("http://radlex.org");
    assertThat(v.getCodingFirstRep().getCode()).isEqualTo("RID3874");
    assertThat(o.getIdentifierFirstRep().getValue()).isEqualTo("A88001-4");
  }

  @Test
  void resultStatusesAndMissingNumbers() throws Exception {
    assertThat(OruMapper.status("P")).isEqualTo(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
    assertThat(OruMapper.status("C")).isEqualTo(DiagnosticReport.DiagnosticReportStatus.CORRECTED);
    assertThat(OruMapper.status("X")).isEqualTo(DiagnosticReport.DiagnosticReportStatus.CANCELLED);
    assertThatThrownBy(() -> OruMapper.status("Q")).isInstanceOf(HL7Exception.class).hasMessageContaining("OBR-25");
    String none = Fixtures.text("oru-r01-ris-city-final.hl7", java.nio.charset.StandardCharsets.UTF_8)
        .replace("PL-A88001^HIS_A", "").replace("F-55101^RIS_CITY", "").replace("|A88001|", "||");
    assertThatThrownBy(() -> OruMapper.map((ORU_R01) Fixtures.parse(none), "urn:local", BASE, SHANGHAI))
        .isInstanceOf(HL7Exception.class).hasMessageContaining("OBR-18").hasMessageContaining("OBR-2");
  }

  @Test
  void aReportBuiltIntoAnOruMapsBackWithItsTextIntact() throws Exception {
    DiagnosticReport dr = fixture().report();
    ServiceRequest order = new ServiceRequest();
    order.addIdentifier().setValue("A88001").getType().addCoding()
        .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203").setCode("ACSN");
    order.getCode().addCoding().setSystem("http://loinc.org").setCode("30799-1");
    V2Header header = new V2Header("RADBRIDGE", "NETWORK", "HIS_A", "CENTRE_A", "RB2",
        java.time.Instant.parse("2026-12-04T02:00:00Z"), SHANGHAI, s -> null);
    org.hl7.fhir.r4.model.Patient patient = new org.hl7.fhir.r4.model.Patient();
    patient.addIdentifier().setSystem("https://radbridge.org/fhir/sid/centre-a/mrn").setValue("A2026-0417");
    String wire = OruBuilder.build(header, dr, order, patient, null).encode();
    assertThat(wire).contains("PID|1||A2026-0417^^^&https://radbridge.org/fhir/sid/centre-a/mrn&URI");
    assertThat(wire).contains("no intracranial haemorrhage \\T\\ no mass effect.").contains("size\\F\\configuration")
        .contains("(see \\E\\ note)");
    OruMapper.MappedReport back = OruMapper.map((ORU_R01) Fixtures.parse(wire), "urn:local", BASE, SHANGHAI);
    assertThat(back.report().getConclusion()).isEqualTo(dr.getConclusion());
    assertThat(back.report().getStatus()).isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
    assertThat(back.accessionNumber()).isEqualTo("A88001");
  }
}
