package org.radbridge.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.radbridge.terminology.ShippedTerminology;
import org.radbridge.terminology.TerminologyChain;

/** Each profile accepts its example and refuses specific broken variants, with HAPI's validator. */
class NetworkProfilesTest {
  private static final FhirContext CTX = FhirContext.forR4Cached();
  private static ProfileValidator validator;
  private static List<StructureDefinition> snapshots;

  @BeforeAll
  static void buildValidator() {
    ShippedTerminology terminology = ShippedTerminology.load(CTX);
    List<MetadataResource> network = new ArrayList<>(terminology.all());
    network.addAll(NetworkProfiles.differentials(CTX));
    PrePopulatedValidationSupport support = TerminologyChain.prePopulated(CTX, network);
    ValidationSupportChain chain = TerminologyChain.build(CTX, support, List.of(), terminology::conceptMaps);
    snapshots = NetworkProfiles.withSnapshots(CTX, chain);
    snapshots.forEach(support::addStructureDefinition);
    chain.invalidateCaches();
    validator = new ProfileValidator(CTX, chain);
  }

  @Test
  void snapshotsAreGeneratedFromTheDifferentials() {
    assertThat(snapshots).extracting(StructureDefinition::getUrl).containsExactly(NetworkProfiles.PATIENT,
        NetworkProfiles.SERVICE_REQUEST, NetworkProfiles.IMAGING_STUDY, NetworkProfiles.DIAGNOSTIC_REPORT);
    StructureDefinition sr = snapshots.get(1);
    assertThat(sr.getSnapshot().getElement()).anySatisfy(e -> {
      assertThat(e.getId()).isEqualTo("ServiceRequest.identifier:accession");
      assertThat(e.getMin()).isEqualTo(1);
    });
    assertThat(sr.getSnapshot().getElement()).anySatisfy(e -> {
      assertThat(e.getId()).isEqualTo("ServiceRequest.code");
      assertThat(e.getMin()).isEqualTo(1);
      // extensible: LOINC where it fits, a sender's local coding accepted while no mapping is known
      assertThat(e.getBinding().getStrength()).isEqualTo(Enumerations.BindingStrength.EXTENSIBLE);
      assertThat(e.getBinding().getValueSet()).isEqualTo("https://radbridge.org/fhir/ValueSet/rb-imaging-procedure");
    });
  }

  @Test
  void everyExampleIsValidAgainstTheProfileItClaims() {
    for (Resource example : NetworkProfiles.examples(CTX)) {
      assertThat(errors(example)).as(example.fhirType() + "/" + example.getIdPart()).isEmpty();
    }
    assertThat(NetworkProfiles.examples(CTX)).filteredOn(r -> r.getMeta().hasProfile()).hasSize(4);
  }

  @Test
  void aReusedValidatorKeepsNothingOfWhatItValidatedAndStillJudgesAlike() {
    ServiceRequest broken = example(ServiceRequest.class, s -> s.getIdentifier().clear());
    List<String> first = errors(broken).stream().map(SingleValidationMessage::getMessage).toList();
    for (int i = 0; i < 25; i++) {
      for (Resource example : NetworkProfiles.examples(CTX)) {
        validator.validate(example, List.of());
      }
    }
    // one thread: the same validator served every call, and holds none of the codings it saw
    assertThat(validator.idleCodingUsages()).containsExactly(0);
    assertThat(errors(broken).stream().map(SingleValidationMessage::getMessage).toList()).isEqualTo(first).isNotEmpty();
  }

  // ---- ServiceRequest -----------------------------------------------------------------------

  @Test
  void orderWithoutAccessionNumberIsRefused() {
    ServiceRequest sr = example(ServiceRequest.class, s -> s.getIdentifier().clear());
    assertThat(errors(sr)).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("ServiceRequest");
      assertThat(m.getMessage()).contains("ServiceRequest.identifier:accession").contains("required");
    });
  }

  @Test
  void accessionIdentifierNeedsSystemAndValue() {
    ServiceRequest sr = example(ServiceRequest.class, s -> s.getIdentifierFirstRep().setSystem(null));
    assertThat(errors(sr)).anySatisfy(m -> assertThat(m.getMessage()).contains("ServiceRequest.identifier:accession.system")
        .contains("minimum required = 1"));
  }

  @Test
  void anOrderCodedOnlyInTheSendersLocalSystemIsValid() {
    ServiceRequest sr = example(ServiceRequest.class, s -> s.getCode().getCoding()
        .removeIf(c -> "http://loinc.org".equals(c.getSystem())));
    assertThat(sr.getCode().getCoding()).isNotEmpty().noneMatch(c -> "http://loinc.org".equals(c.getSystem()));
    assertThat(errors(sr)).isEmpty();
  }

  @Test
  void orderNeedsPriorityButNotARequester() {
    ServiceRequest sr = example(ServiceRequest.class, s -> {
      s.setPriority(null);
      s.setRequester(null);
    });
    List<SingleValidationMessage> errors = errors(sr);
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("ServiceRequest.priority: minimum required = 1"));
    assertThat(errors).noneSatisfy(m -> assertThat(m.getMessage()).contains("ServiceRequest.requester"));
  }

  @Test
  void activeOrderMustNameTheReadingOrganisation() {
    ServiceRequest sr = example(ServiceRequest.class, s -> s.getPerformer().clear());
    assertThat(errors(sr)).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("ServiceRequest");
      assertThat(m.getMessage()).contains("rb-sr-1").contains("reading organisation");
    });
    ServiceRequest draft = example(ServiceRequest.class, s -> {
      s.getPerformer().clear();
      s.setStatus(ServiceRequest.ServiceRequestStatus.DRAFT);
    });
    assertThat(errors(draft)).isEmpty();
  }

  @Test
  void orderSubjectMustBeAPatient() {
    ServiceRequest sr = example(ServiceRequest.class, s -> s.getSubject().setReference("Group/g1"));
    assertThat(errors(sr)).anySatisfy(m -> {
      assertThat(m.getLocationString()).startsWith("ServiceRequest.subject");
      assertThat(m.getMessage()).contains("Group");
    });
  }

  // ---- ImagingStudy -------------------------------------------------------------------------

  @Test
  void studyWithoutStudyInstanceUidIsRefused() {
    ImagingStudy is = example(ImagingStudy.class, s -> s.getIdentifier().removeIf(i -> "urn:dicom:uid".equals(i.getSystem())));
    assertThat(errors(is)).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("ImagingStudy");
      assertThat(m.getMessage()).contains("ImagingStudy.identifier:studyInstanceUid");
    });
  }

  @Test
  void studyInstanceUidIsWrittenAsUrnOid() {
    ImagingStudy is = example(ImagingStudy.class, s -> s.getIdentifierFirstRep().setValue("1.2.3.4"));
    assertThat(errors(is)).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("ImagingStudy.identifier[0].value");
      assertThat(m.getMessage()).contains("rb-is-1");
    });
  }

  @Test
  void studyModalityMustComeFromCid29() {
    ImagingStudy is = example(ImagingStudy.class, s -> s.getModalityFirstRep().setCode("XYZ"));
    assertThat(errors(is)).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("ImagingStudy.modality[0]");
      assertThat(m.getMessage()).contains("XYZ");
    });
    ImagingStudy none = example(ImagingStudy.class, s -> s.getModality().clear());
    assertThat(errors(none)).anySatisfy(m -> assertThat(m.getMessage()).contains("ImagingStudy.modality: minimum required = 1"));
  }

  // ---- DiagnosticReport ---------------------------------------------------------------------

  @Test
  void finalReportNeedsConclusionAndInterpreter() {
    DiagnosticReport dr = example(DiagnosticReport.class, r -> {
      r.setConclusion(null);
      r.getResultsInterpreter().clear();
    });
    List<SingleValidationMessage> errors = errors(dr);
    assertThat(errors).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("DiagnosticReport");
      assertThat(m.getMessage()).contains("rb-dr-1");
    });
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("rb-dr-2"));
    DiagnosticReport preliminary = example(DiagnosticReport.class, r -> {
      r.setConclusion(null);
      r.getResultsInterpreter().clear();
      r.setStatus(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
    });
    assertThat(errors(preliminary)).isEmpty();
  }

  @Test
  void reportNeedsItsOrderAndRadiologyCategoryButNotYetItsStudy() {
    DiagnosticReport dr = example(DiagnosticReport.class, r -> {
      r.getBasedOn().clear();
      r.getImagingStudy().clear();
      r.getCategoryFirstRep().getCodingFirstRep().setCode("LAB").setDisplay("Laboratory");
    });
    List<SingleValidationMessage> errors = errors(dr);
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("DiagnosticReport.basedOn: minimum required = 1"));
    // a report may come before its study: RadBridge links the study when it arrives
    assertThat(errors).noneSatisfy(m -> assertThat(m.getMessage()).contains("DiagnosticReport.imagingStudy"));
    assertThat(errors).anySatisfy(m -> {
      assertThat(m.getLocationString()).isEqualTo("DiagnosticReport.category[0]");
      assertThat(m.getMessage()).contains("rb-report-category");
    });
  }

  @Test
  void patientNeedsIdentifierGenderAndBirthDate() {
    Patient p = example(Patient.class, x -> {
      x.getIdentifier().clear();
      x.setGender(null);
      x.setBirthDate(null);
    });
    List<SingleValidationMessage> errors = errors(p);
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("Patient.identifier: minimum required = 1"));
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("Patient.gender: minimum required = 1"));
    assertThat(errors).anySatisfy(m -> assertThat(m.getMessage()).contains("Patient.birthDate: minimum required = 1"));
  }

  @Test
  void aProfileGivenExplicitlyIsAppliedToAnUnclaimedResource() {
    ServiceRequest sr = example(ServiceRequest.class, s -> {
      s.getMeta().getProfile().clear();
      s.getIdentifier().clear();
    });
    assertThat(errors(sr)).isEmpty();
    assertThat(validator.validate(sr, List.of(NetworkProfiles.SERVICE_REQUEST)).getMessages())
        .anySatisfy(m -> assertThat(m.getMessage()).contains("ServiceRequest.identifier:accession"));
  }

  private static <T extends Resource> T example(Class<T> type, Consumer<T> breakIt) {
    T r = NetworkProfiles.examples(CTX).stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    breakIt.accept(r);
    return r;
  }

  private static List<SingleValidationMessage> errors(Resource r) {
    return validator.validate(r, List.of()).getMessages().stream()
        .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()).toList();
  }
}
