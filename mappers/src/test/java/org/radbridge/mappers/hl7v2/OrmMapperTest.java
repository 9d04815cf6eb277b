package org.radbridge.mappers.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.OMI_O23;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import java.nio.charset.Charset;
import java.time.ZoneId;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

class OrmMapperTest {
  private static final String LOCAL = "https://radbridge.org/fhir/CodeSystem/his-centre-a";
  private static final String BASE = "https://radbridge.org/fhir/sid/centre-a/";
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void omiCarriesTimingAndTheImagingProcedureControl() throws Exception {
    OrmMapper.MappedOrder m = OrmMapper.map((OMI_O23) Fixtures.utf8("omi-o23-pacsoms-utf8.hl7"), LOCAL, BASE, SHANGHAI);
    ServiceRequest sr = m.order();
    assertThat(m.accessionNumber()).isEqualTo("A88001");
    assertThat(sr.getStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.ACTIVE);
    assertThat(sr.getPriority()).isEqualTo(ServiceRequest.ServiceRequestPriority.STAT);
    assertThat(sr.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue()).contains(
        BASE + "placer|PL-A88001", BASE + "accession|A88001",
        "urn:dicom:uid|urn:oid:1.2.826.0.1.3680043.10.511.88001",
        OrmMapper.RP_ID + "|RP-A88001", OrmMapper.SPS_ID + "|SPS-A88001-1");
    assertThat(sr.getCode().getCodingFirstRep().getSystem()).isEqualTo(LOCAL);
    assertThat(sr.getCode().getCodingFirstRep().getCode()).isEqualTo("CT-HEAD-P");
    assertThat(sr.getPerformerType().getCodingFirstRep().getCode()).isEqualTo("CT");
    assertThat(sr.getOccurrenceDateTimeType().getValueAsString()).isEqualTo("2026-12-04T09:30:00+08:00");
    assertThat(sr.getReasonCodeFirstRep().getText()).isEqualTo("Sudden severe headache^vomiting");
    assertThat(sr.getRequester().getDisplay()).isEqualTo("Li Wang");
    // PID-3 repeats: the MR repetition, not the national ID that comes first
    assertThat(m.patient().id()).isEqualTo("A2026-0417");
    assertThat(m.patient().assigningAuthority()).isEqualTo("CENTRE_A_MRN");
    assertThat(m.patient().family()).isEqualTo("王");
    assertThat(m.patient().given()).isEqualTo("秀英");
  }

  @Test
  void aPlacerOnlyOrderWithoutOrderingProviderMapsWithoutAccessionOrRequester() throws Exception {
    OrmMapper.MappedOrder m = OrmMapper.map((ORM_O01) Fixtures.utf8("orm-o01-his-a-placer-only.hl7"), LOCAL, BASE);
    ServiceRequest sr = m.order();
    assertThat(m.accessionNumber()).as("the filler assigns it").isNull();
    assertThat(m.placerNumber()).isEqualTo("PL-A88001");
    assertThat(m.fillerNumber()).isNull();
    assertThat(sr.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
        .containsExactly(BASE + "placer|PL-A88001");
    assertThat(sr.hasRequester()).isFalse();
    assertThat(sr.getPriority()).isEqualTo(ServiceRequest.ServiceRequestPriority.ROUTINE);
    assertThat(sr.getReasonCodeFirstRep().getText()).isEqualTo("Dizziness & blurred vision"); // \T\ unescaped
    assertThat(m.patient().id()).isEqualTo("A2026-0417"); // the MR repetition of PID-3
  }

  @Test
  void anOmiWhoseAccessionIsOnlyInIpc1TakesIt() throws Exception {
    OrmMapper.MappedOrder m = OrmMapper.map((OMI_O23) Fixtures.utf8("omi-o23-pacsoms-ipc1-only.hl7"), LOCAL, BASE, SHANGHAI);
    assertThat(m.accessionNumber()).isEqualTo("A88001");
    assertThat(m.order().getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
        .contains(BASE + "accession|A88001", "urn:dicom:uid|urn:oid:1.2.826.0.1.3680043.10.511.88001");
    assertThat(m.order().getOccurrenceDateTimeType().getValueAsString()).isEqualTo("2026-12-07T09:00:00+08:00");
  }

  @Test
  void orderControlsBecomeStatuses() throws Exception {
    assertThat(status("orm-o01-his-a-change.hl7")).isEqualTo(ServiceRequest.ServiceRequestStatus.ACTIVE);
    assertThat(status("orm-o01-his-a-hold.hl7")).isEqualTo(ServiceRequest.ServiceRequestStatus.ONHOLD);
    assertThat(status("orm-o01-his-a-cancel.hl7")).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
    assertThat(status("orm-o01-his-a-discontinue.hl7")).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
    assertThat(OrmMapper.status("SC", "CM")).isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
    assertThatThrownBy(() -> OrmMapper.status("ZZ", null)).isInstanceOf(HL7Exception.class).hasMessageContaining("ORC-1");
  }

  private static ServiceRequest.ServiceRequestStatus status(String fixture) throws Exception {
    ORM_O01 orm = (ORM_O01) Fixtures.utf8(fixture);
    return OrmMapper.map(orm, LOCAL, BASE).order().getStatus();
  }

  @Test
  void aGb18030OrderKeepsItsChineseTextAndTheSendersLoinc() throws Exception {
    ORM_O01 orm = (ORM_O01) Fixtures.parse(Fixtures.text("orm-o01-his-b-gb18030.hl7", Charset.forName("GB18030")));
    OrmMapper.MappedOrder m = OrmMapper.map(orm, "urn:local", "https://radbridge.org/fhir/sid/centre-b/");
    assertThat(m.patient().family()).isEqualTo("欧阳");
    assertThat(m.order().getCode().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode() + "|" + c.getDisplay())
        .containsExactly("urn:local|US-ABD|腹部超声", "http://loinc.org|24532-4|US Abdomen RUQ");
    assertThat(m.order().getReasonCodeFirstRep().getText()).isEqualTo("右上腹痛");
    assertThat(m.patient().assigningAuthority()).isEqualTo("CENTRE_B");
  }

  @Test
  void anImpossibleBirthDateNamesPid7() throws Exception {
    ORM_O01 orm = (ORM_O01) Fixtures.utf8("orm-o01-impossible-birth-date.hl7");
    assertThatThrownBy(() -> OrmMapper.map(orm, LOCAL, BASE)).isInstanceOf(HL7Exception.class)
        .hasMessageStartingWith("PID-7").hasMessageContaining("19751345");
  }

  @Test
  void aServiceRequestBuiltIntoAnOrmMapsBackToTheSameOrder() throws Exception {
    ServiceRequest original = OrmMapper.map((OMI_O23) Fixtures.utf8("omi-o23-pacsoms-utf8.hl7"), LOCAL, BASE, SHANGHAI)
        .order();
    original.getCode().addCoding().setSystem("http://loinc.org").setCode("30799-1").setDisplay("CT Head WO contrast");
    org.hl7.fhir.r4.model.Patient patient = new org.hl7.fhir.r4.model.Patient();
    patient.addIdentifier().setSystem(BASE + "mrn").setValue("A2026-0417");
    patient.addName().setFamily("王").addGiven("秀英");
    V2Header header = new V2Header("RADBRIDGE", "NETWORK", "RIS_CITY", "CITY_HOSP", "RB1",
        java.time.Instant.parse("2026-12-04T01:00:00Z"), SHANGHAI, s -> s.endsWith("/mrn") ? "CENTRE_A_MRN" : null);
    ORM_O01 orm = OrmBuilder.build(header, "NW", original, patient, "HIS_A");
    String wire = orm.encode();
    assertThat(wire).contains("|ORM^O01^ORM_O01|RB1|P|2.5.1|").contains("ORC|NW|PL-A88001^HIS_A|")
        .contains("Sudden severe headache\\S\\vomiting").contains("A2026-0417^^^CENTRE_A_MRN");
    ServiceRequest back = OrmMapper.map((ORM_O01) Fixtures.parse(wire), "urn:other-local", BASE).order();
    assertThat(back.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
        .contains(BASE + "placer|PL-A88001", BASE + "accession|A88001");
    assertThat(back.getPriority()).isEqualTo(ServiceRequest.ServiceRequestPriority.STAT);
    assertThat(back.getCode().getCoding()).extracting(c -> c.getSystem() + "|" + c.getCode())
        .containsExactly("http://loinc.org|30799-1", "urn:other-local|CT-HEAD-P");
    assertThat(back.getReasonCodeFirstRep().getText()).isEqualTo("Sudden severe headache^vomiting");
    assertThat(back.getOccurrenceDateTimeType().getValue()).isEqualTo(original.getOccurrenceDateTimeType().getValue());
  }
}
