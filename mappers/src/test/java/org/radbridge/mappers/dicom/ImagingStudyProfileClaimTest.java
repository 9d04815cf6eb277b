package org.radbridge.mappers.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.MetadataResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.radbridge.profiles.NetworkProfiles;
import org.radbridge.profiles.ProfileValidator;
import org.radbridge.terminology.ShippedTerminology;
import org.radbridge.terminology.TerminologyChain;

/**
 * The mapper claims rb-imaging-study exactly when its output satisfies it: every fixture is
 * validated against the profile with HAPI's validator over the shipped terminology, claimed or not.
 */
class ImagingStudyProfileClaimTest {
  private static final FhirContext CTX = FhirContext.forR4Cached();
  private static final ImagingStudyMapper.Context CONTEXT = new ImagingStudyMapper.Context(
      "https://radbridge.org/fhir/sid/centre-a/accession", "Patient/p1", null, ZoneId.of("Asia/Shanghai"));
  private static ProfileValidator validator;

  @BeforeAll
  static void buildValidator() {
    ShippedTerminology terminology = ShippedTerminology.load(CTX);
    List<MetadataResource> network = new ArrayList<>(terminology.all());
    network.addAll(NetworkProfiles.differentials(CTX));
    PrePopulatedValidationSupport support = TerminologyChain.prePopulated(CTX, network);
    ValidationSupportChain chain = TerminologyChain.build(CTX, support, List.of(), terminology::conceptMaps);
    NetworkProfiles.withSnapshots(CTX, chain).forEach(support::addStructureDefinition);
    chain.invalidateCaches();
    validator = new ProfileValidator(CTX, chain);
  }

  /** One instance of a study of its own: what a sender may leave out is left out unless given. */
  private static DicomInstance instance(String sopClass, String modality, String studyUid) {
    return new DicomInstance(studyUid, studyUid + ".1", studyUid + ".1.1", sopClass, null, null, modality, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  private static List<String> errorsAgainstProfile(ImagingStudy study) {
    return validator.validate(study, List.of(ImagingStudyMapper.PROFILE)).getMessages().stream()
        .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
        .map(m -> m.getLocationString() + ": " + m.getMessage()).toList();
  }

  private static boolean claims(ImagingStudy study) {
    return study.getMeta().getProfile().stream().anyMatch(p -> ImagingStudyMapper.PROFILE.equals(p.getValue()));
  }

  @Test
  void everyNonImageModalityAndEveryMissingAttributeStillSatisfiesTheClaimedProfile() {
    // SOP class → Modality as sent (null: none sent); no StudyDate, SeriesNumber, AccessionNumber anywhere
    Map<String, String[]> fixtures = Map.ofEntries(
        Map.entry("SR", new String[] {"1.2.840.10008.5.1.4.1.1.88.33", "SR"}),
        Map.entry("SEG", new String[] {"1.2.840.10008.5.1.4.1.1.66.4", "SEG"}),
        Map.entry("RTDOSE", new String[] {"1.2.840.10008.5.1.4.1.1.481.2", "RTDOSE"}),
        Map.entry("RTPLAN", new String[] {"1.2.840.10008.5.1.4.1.1.481.5", "RTPLAN"}),
        Map.entry("RTSTRUCT", new String[] {"1.2.840.10008.5.1.4.1.1.481.3", "RTSTRUCT"}),
        Map.entry("OT", new String[] {"1.2.840.10008.5.1.4.1.1.7", "OT"}),
        Map.entry("KO", new String[] {"1.2.840.10008.5.1.4.1.1.88.59", "KO"}),
        Map.entry("PR", new String[] {"1.2.840.10008.5.1.4.1.1.11.1", "PR"}),
        Map.entry("DOC", new String[] {"1.2.840.10008.5.1.4.1.1.104.1", "DOC"}),
        Map.entry("ECG", new String[] {"1.2.840.10008.5.1.4.1.1.9.1.1", "ECG"}),
        Map.entry("CT", new String[] {"1.2.840.10008.5.1.4.1.1.2", "CT"}),
        // no Modality: the one the SOP class fixes, else OT
        Map.entry("SR without Modality", new String[] {"1.2.840.10008.5.1.4.1.1.88.11", null}),
        Map.entry("RTDOSE without Modality", new String[] {"1.2.840.10008.5.1.4.1.1.481.2", null}),
        Map.entry("SC without Modality", new String[] {"1.2.840.10008.5.1.4.1.1.7", null}));
    int n = 0;
    for (Map.Entry<String, String[]> f : fixtures.entrySet()) {
      String uid = "1.2.826.0.1.3680043.10.1." + (++n);
      ImagingStudy study = ImagingStudyMapper.map(List.of(instance(f.getValue()[0], f.getValue()[1], uid)), CONTEXT);
      assertThat(claims(study)).as(f.getKey()).isTrue();
      assertThat(errorsAgainstProfile(study)).as(f.getKey()).isEmpty();
      assertThat(study.getSeriesFirstRep().getNumberOfInstances()).isEqualTo(1);
      assertThat(study.hasStarted()).isFalse();
    }
  }

  @Test
  void aMissingModalityComesFromTheSopClassElseIsOther() {
    ImagingStudy sr = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.88.11", null, "1.2.3")), CONTEXT);
    assertThat(sr.getSeriesFirstRep().getModality().getCode()).isEqualTo("SR");
    assertThat(sr.getModalityFirstRep().getCode()).isEqualTo("SR");
    ImagingStudy sc = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.7", " ", "1.2.4")), CONTEXT);
    assertThat(sc.getSeriesFirstRep().getModality().getCode()).isEqualTo("OT");
    ImagingStudy ko = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.88.59", null, "1.2.5")), CONTEXT);
    assertThat(ko.getSeriesFirstRep().getModality().getCode()).isEqualTo("KO");
  }

  @Test
  void whatWouldFailTheProfileIsWrittenWithoutTheClaim() {
    // a Modality outside CID 33, no subject, a Study Instance UID with a leading zero: each fails rb-imaging-study
    ImagingStudy oddModality = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.7", "XYZ", "1.2.6")),
        CONTEXT);
    ImagingStudy noSubject = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.2", "CT", "1.2.7")),
        new ImagingStudyMapper.Context("https://radbridge.org/fhir/sid/centre-a/accession", null, null,
            ZoneId.of("Asia/Shanghai")));
    ImagingStudy badUid = ImagingStudyMapper.map(List.of(instance("1.2.840.10008.5.1.4.1.1.2", "CT", "1.02.8")), CONTEXT);
    for (ImagingStudy study : List.of(oddModality, noSubject, badUid)) {
      assertThat(claims(study)).as(study.getIdentifierFirstRep().getValue()).isFalse();
      assertThat(errorsAgainstProfile(study)).as(study.getIdentifierFirstRep().getValue()).isNotEmpty();
    }
    assertThat(oddModality.getSeriesFirstRep().getModality().getCode()).isEqualTo("XYZ"); // kept as sent
  }
}
