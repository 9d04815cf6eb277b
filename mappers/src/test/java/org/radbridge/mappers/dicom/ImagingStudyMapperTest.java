package org.radbridge.mappers.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.List;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.Test;

class ImagingStudyMapperTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ImagingStudyMapper.Context CONTEXT = new ImagingStudyMapper.Context(
      "https://radbridge.org/fhir/sid/centre-a/accession", "Patient/p1", "ServiceRequest/o1", SHANGHAI);

  private static DicomInstance ct(String series, String seriesNo, String sop, String number) {
    return new DicomInstance("1.2.3", series, sop, "1.2.840.10008.5.1.4.1.1.2", number, seriesNo, "CT", "Head 5mm",
        "HEAD", null, "20261120", "094011", "20261120", "093500.25", "CT head plain", "A2026-000451",
        "Wang^Li^^Dr", "MRN-000123", "CENTRE_A_MRN", "Zhang^Wei", "19610417", "M", null);
  }

  @Test
  void mapsStudySeriesAndInstancesPerTheR4Mapping() {
    ImagingStudy study = ImagingStudyMapper.map(List.of(
        ct("1.2.3.2", "2", "1.2.3.2.2", "2"), ct("1.2.3.1", "1", "1.2.3.1.1", "1"),
        ct("1.2.3.2", "2", "1.2.3.2.1", "1")), CONTEXT);
    assertThat(study.getMeta().getProfile().get(0).getValue())
        .isEqualTo("https://radbridge.org/fhir/StructureDefinition/rb-imaging-study");
    assertThat(study.getIdentifier()).extracting(i -> i.getSystem() + "|" + i.getValue())
        .containsExactly("urn:dicom:uid|urn:oid:1.2.3", "https://radbridge.org/fhir/sid/centre-a/accession|A2026-000451");
    assertThat(study.getIdentifier().get(1).getType().getCodingFirstRep().getCode()).isEqualTo("ACSN");
    assertThat(study.getStatus()).isEqualTo(ImagingStudy.ImagingStudyStatus.AVAILABLE);
    assertThat(study.getSubject().getReference()).isEqualTo("Patient/p1");
    assertThat(study.getBasedOnFirstRep().getReference()).isEqualTo("ServiceRequest/o1");
    assertThat(study.getModality()).extracting(c -> c.getSystem() + "|" + c.getCode())
        .containsExactly("http://dicom.nema.org/resources/ontology/DCM|CT");
    assertThat(study.getStartedElement().getValueAsString()).isEqualTo("2026-11-20T09:35:00.250+08:00");
    assertThat(study.getDescription()).isEqualTo("CT head plain");
    assertThat(study.getReferrer().getDisplay()).isEqualTo("Dr Li Wang");
    assertThat(study.getNumberOfSeries()).isEqualTo(2);
    assertThat(study.getNumberOfInstances()).isEqualTo(3);
    ImagingStudy.ImagingStudySeriesComponent s1 = study.getSeries().get(0);
    assertThat(s1.getUid()).isEqualTo("1.2.3.1");
    assertThat(s1.getNumber()).isEqualTo(1);
    assertThat(s1.getBodySite().getDisplay()).isEqualTo("HEAD");
    assertThat(s1.getStartedElement().getValueAsString()).isEqualTo("2026-11-20T09:40:11+08:00");
    ImagingStudy.ImagingStudySeriesComponent s2 = study.getSeries().get(1);
    assertThat(s2.getNumberOfInstances()).isEqualTo(2);
    assertThat(s2.getInstance()).extracting(ImagingStudy.ImagingStudySeriesInstanceComponent::getUid)
        .containsExactly("1.2.3.2.1", "1.2.3.2.2");
    assertThat(s2.getInstanceFirstRep().getSopClass().getCode()).isEqualTo("urn:oid:1.2.840.10008.5.1.4.1.1.2");
  }

  @Test
  void datesAndNames() {
    assertThat(ImagingStudyMapper.dateTime("20261120", null, SHANGHAI)).get()
        .extracting(d -> d.getValueAsString()).isEqualTo("2026-11-20");
    assertThat(ImagingStudyMapper.dateTime("20261120", "0940", SHANGHAI)).get()
        .extracting(d -> d.getValueAsString()).isEqualTo("2026-11-20T09:40:00+08:00");
    assertThat(ImagingStudyMapper.dateTime("2026-11-20", "0940", SHANGHAI)).isEmpty();
    assertThat(ImagingStudyMapper.dateTime("20261340", null, SHANGHAI)).isEmpty();
    assertThat(ImagingStudyMapper.personName("Zhang^Wei=张^伟")).isEqualTo("Wei Zhang");
  }
}
