package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** A node's certificates by subject or SHA-256 fingerprint (the test material in src/test/resources/tls). */
class PeerCertificatesTest {
  private static X509Certificate certificate(String name) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("src/test/resources/tls", name + ".pem"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void aSubjectMatchesAsADistinguishedNameWhateverItsCaseAndSpacing() throws Exception {
    X509Certificate ctA = certificate("ct-a");
    assertThat(PeerCertificates.matches(List.of("CN=CT_A,O=Centre A"), ctA)).isTrue();
    assertThat(PeerCertificates.matches(List.of("cn=ct_a, o=centre a"), ctA)).isTrue();
    assertThat(PeerCertificates.matches(List.of("CN=CT_A"), ctA)).as("a part of the subject is another subject").isFalse();
    assertThat(PeerCertificates.matches(List.of("CN=CT_A,O=Centre A"), certificate("rogue"))).isFalse();
    assertThat(PeerCertificates.matches(List.of("CN=CT_A,O=Centre A"), null)).isFalse();
  }

  @Test
  void aFingerprintMatchesWithOrWithoutColonsAndPrefix() throws Exception {
    X509Certificate ctA = certificate("ct-a");
    String hex = PeerCertificates.fingerprint(ctA);
    assertThat(hex).hasSize(64).isEqualTo("bbd8705448a48f1cdbea78008b77d446a5dabf54ad333c352ea76e709227b5d3");
    assertThat(PeerCertificates.matches(List.of(hex.toUpperCase()), ctA)).isTrue();
    assertThat(PeerCertificates.matches(List.of("SHA-256:BB:D8:70:54:48:A4:8F:1C:DB:EA:78:00:8B:77:D4:46:A5:DA:BF:54:AD:33:3C"
        + ":35:2E:A7:6E:70:92:27:B5:D3"), ctA)).isTrue();
    assertThat(PeerCertificates.matches(List.of("sha256:" + hex), ctA)).isTrue();
    assertThat(PeerCertificates.matches(List.of(hex), certificate("rogue"))).isFalse();
    // one of several (a certificate being renewed)
    assertThat(PeerCertificates.matches(List.of("CN=OLD", hex), ctA)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "ct-a certificate", "CN=CT_A,,", "SHA-256:BB:D8"})
  void whatNamesNoCertificateIsRefused(String entry) {
    assertThat(PeerCertificates.problemWith(entry)).isPresent();
  }

  @Test
  void aNodeEntrySaysTlsByItsAddressSchemeAndItsCertificatesByExtensions() {
    NetworkProperties n = new Binder(new MapConfigurationPropertySource(Map.of(
        "radbridge.network.dicom-nodes[0].ae-title", "CITY_PACS", "radbridge.network.dicom-nodes[0].host", "10.2.0.9",
        "radbridge.network.dicom-nodes[0].port", "2762", "radbridge.network.dicom-nodes[0].organization", "city-hospital",
        "radbridge.network.dicom-nodes[0].role", "pacs", "radbridge.network.dicom-nodes[0].tls", "true",
        "radbridge.network.dicom-nodes[0].certificates[0]", "CN=CITY_PACS,O=City Hospital")))
        .bindOrCreate("radbridge.network", NetworkProperties.class);
    assertThat(Validation.buildDefaultValidatorFactory().getValidator().validate(n)).isEmpty();
    Endpoint e = (Endpoint) NetworkResources.build(n).stream().filter(r -> r.getIdPart().equals("dicom-CITY-PACS"))
        .findFirst().orElseThrow();
    assertThat(e.getAddress()).isEqualTo("dicoms://CITY_PACS@10.2.0.9:2762");
    assertThat(NetworkResources.peerCertificates(e)).containsExactly("CN=CITY_PACS,O=City Hospital");

    NetworkProperties bad = new Binder(new MapConfigurationPropertySource(Map.of(
        "radbridge.network.dicom-nodes[0].ae-title", "CT_A", "radbridge.network.dicom-nodes[0].organization", "centre-a",
        "radbridge.network.dicom-nodes[0].certificates[0]", "the CT's certificate")))
        .bindOrCreate("radbridge.network", NetworkProperties.class);
    assertThat(Validation.buildDefaultValidatorFactory().getValidator().validate(bad)).singleElement()
        .satisfies(v -> assertThat(v.getPropertyPath().toString()).startsWith("dicomNodes[0].certificates[0]"));
  }
}
