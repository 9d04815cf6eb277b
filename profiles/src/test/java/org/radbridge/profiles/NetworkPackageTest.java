package org.radbridge.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.junit.jupiter.api.Test;

/** The FHIR NPM package the build writes (target/package.tgz) is readable by HAPI's package loader. */
class NetworkPackageTest {
  @Test
  void packageCarriesTheProfilesWithSnapshots() throws Exception {
    Path tgz = Path.of("target/package.tgz");
    assertThat(tgz).exists();
    NpmPackage pkg;
    try (InputStream in = Files.newInputStream(tgz)) {
      pkg = NpmPackage.fromPackage(in);
    }
    assertThat(pkg.name()).isEqualTo("org.radbridge.fhir");
    assertThat(pkg.fhirVersion()).isEqualTo("4.0.1");
    assertThat(pkg.canonical()).isEqualTo("https://radbridge.org/fhir");
    assertThat(pkg.listResources("StructureDefinition")).containsExactlyInAnyOrder(
        "StructureDefinition-rb-patient.json", "StructureDefinition-rb-service-request.json",
        "StructureDefinition-rb-imaging-study.json", "StructureDefinition-rb-diagnostic-report.json");
    assertThat(pkg.listResources("ValueSet")).contains("ValueSet-rb-imaging-procedure.json", "ValueSet-rb-modality.json");
    assertThat(pkg.listResources("SearchParameter")).hasSize(2);
    assertThat(pkg.listResources("ConceptMap")).containsExactly("ConceptMap-his-centre-a.json");
    try (InputStream in = pkg.loadResource("StructureDefinition-rb-imaging-study.json")) {
      StructureDefinition sd = (StructureDefinition) FhirContext.forR4Cached().newJsonParser().parseResource(in);
      assertThat(sd.getUrl()).isEqualTo(NetworkProfiles.IMAGING_STUDY);
      assertThat(sd.getSnapshot().getElement()).extracting(e -> e.getId())
          .contains("ImagingStudy.identifier:studyInstanceUid.system", "ImagingStudy.modality");
      assertThat(sd.getDifferential().getElement()).isNotEmpty();
    }
    assertThat(pkg.list("example")).hasSize(8);
  }
}
