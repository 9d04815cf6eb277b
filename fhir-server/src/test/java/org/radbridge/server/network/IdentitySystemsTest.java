package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Identifier systems per issuer and organisation, without a server. */
class IdentitySystemsTest {
  private static IdentitySystems systems(Map<String, String> settings) {
    return new IdentitySystems(new Binder(new MapConfigurationPropertySource(settings))
        .bindOrCreate("radbridge.network", NetworkProperties.class));
  }

  @Test
  void anOrganisationsDefaultSystemsNameItEvenWhenItIsNotConfigured() {
    IdentitySystems s = systems(Map.of("radbridge.network.organizations[0].key", "centre-a",
        "radbridge.network.organizations[0].accession-system", "urn:oid:1.2.3.4"));
    assertThat(s.orgOfAccessionSystem("urn:oid:1.2.3.4")).contains("centre-a");
    // an organisation added through REST only: its default systems still name it
    assertThat(s.orgOfAccessionSystem("https://radbridge.org/fhir/sid/new-centre/accession")).contains("new-centre");
    assertThat(s.orgOfPatientIdSystem("https://radbridge.org/fhir/sid/new-centre/mrn")).contains("new-centre");
    assertThat(s.orgOfAccessionSystem("https://radbridge.org/fhir/sid/a/b/accession")).isEmpty();
    assertThat(s.orgOfAccessionSystem("urn:other")).isEmpty();
  }

  @Test
  void anIssuerMapsToItsSystemElseTheSendersOwn() {
    IdentitySystems s = systems(Map.of("radbridge.network.issuers.CENTRE_A_MRN", "https://radbridge.org/fhir/sid/centre-a/mrn"));
    assertThat(s.patientIdSystem("CENTRE_A_MRN", "centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-a/mrn");
    assertThat(s.patientIdSystem("UNKNOWN", "centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-b/mrn");
    assertThat(s.patientIdSystem(null, "centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-b/mrn");
  }
}
