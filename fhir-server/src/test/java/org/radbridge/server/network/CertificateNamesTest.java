package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Certificate entries of DICOM nodes and HL7 applications — SHA-256 fingerprints and subject DNs —
 * against the real certificates in src/test/resources/tls.
 */
class CertificateNamesTest {
  private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

  private static X509Certificate certificate(String file) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("src/test/resources/tls", file))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void aFingerprintNamesExactlyItsCertificateInAnyCommonSpelling() throws Exception {
    X509Certificate ctA = certificate("ct-a.pem");
    String hex = CertificateNames.sha256(ctA);
    assertThat(hex).isEqualTo("bbd8705448a48f1cdbea78008b77d446a5dabf54ad333c352ea76e709227b5d3");
    String colons = hex.toUpperCase().replaceAll("(..)(?!$)", "$1:");
    for (String entry : List.of(hex, hex.toUpperCase(), colons, "sha256:" + hex, "SHA-256:" + colons, " " + hex + " ",
        "sha256 Fingerprint=" + colons, // openssl 3 x509 -fingerprint -sha256
        "SHA256 Fingerprint=" + colons, // openssl 1.1
        colons.replace(':', ' '))) {
      assertThat(CertificateNames.problemWith(entry)).as(entry).isEmpty();
      assertThat(CertificateNames.matches(List.of(entry), ctA)).as(entry).isTrue();
      assertThat(CertificateNames.matches(List.of(entry), certificate("rogue.pem"))).as(entry).isFalse();
    }
    // one of several (a certificate being renewed)
    assertThat(CertificateNames.matches(List.of("CN=OLD", hex), ctA)).isTrue();
  }

  @Test
  void aSubjectNamesItsSubjectWhateverTheOrderCaseAndSpacingOfItsParts() throws Exception {
    X509Certificate ctA = certificate("ct-a.pem");
    X509Certificate risCity = certificate("ris-city.crt");
    for (String entry : List.of("CN=CT_A,O=Centre A", // RFC 2253, as Java and our log lines print it
        "O = Centre A, CN = CT_A", // X.509 order, as openssl x509 -subject prints it
        "subject=O = Centre A, CN = CT_A", // the whole line openssl prints
        "cn=ct_a, o=centre a", "2.5.4.3=CT_A,O=Centre A")) {
      assertThat(CertificateNames.problemWith(entry)).as(entry).isEmpty();
      assertThat(CertificateNames.matches(List.of(entry), ctA)).as(entry).isTrue();
    }
    assertThat(CertificateNames.matches(List.of("O=City Hospital,CN=RIS_CITY"), risCity)).isTrue();
    assertThat(CertificateNames.matches(List.of("CN=RIS_CITY,O=City Hospital"), risCity)).isTrue();
    assertThat(CertificateNames.matches(List.of("CN=CT_A"), ctA)).as("a part of the subject is another subject").isFalse();
    assertThat(CertificateNames.matches(List.of("CN=CT_A,O=Centre A,C=DE"), ctA)).as("so is more").isFalse();
    assertThat(CertificateNames.matches(List.of("CN=CT_A,O=Centre A"), certificate("rogue.pem"))).isFalse();
    assertThat(CertificateNames.matches(List.of("CN=RIS_CITY,O=City Hospital"), certificate("ris-other.crt"))).isFalse();
    assertThat(CertificateNames.matches(List.of("CN=CT_A,O=Centre A"), null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "abc", "0f46ece0", "sha256:zz", "SHA-256:BB:D8", "ct-a certificate", "CN=CT_A,,",
      "CN=\"unterminated", "ris-city.crt"})
  void whatNamesNoCertificateIsAProblemAndNamesNothing(String entry) throws Exception {
    assertThat(CertificateNames.problemWith(entry)).as(entry).isPresent();
    assertThat(CertificateNames.matches(List.of(entry), certificate("ct-a.pem"))).as(entry).isFalse();
  }

  @Test
  void aNodesCertificatesAreCheckedAtStartAndStoredOnItsEndpoint() {
    NetworkProperties n = bind(Map.of(
        "radbridge.network.dicom-nodes[0].ae-title", "CITY_PACS", "radbridge.network.dicom-nodes[0].host", "10.2.0.9",
        "radbridge.network.dicom-nodes[0].port", "2762", "radbridge.network.dicom-nodes[0].organization", "city-hospital",
        "radbridge.network.dicom-nodes[0].role", "pacs", "radbridge.network.dicom-nodes[0].tls", "true",
        "radbridge.network.dicom-nodes[0].certificates[0]", "CN=CITY_PACS,O=City Hospital"));
    assertThat(VALIDATOR.validate(n)).isEmpty();
    Endpoint e = (Endpoint) NetworkResources.build(n).stream().filter(r -> r.getIdPart().equals("dicom-CITY-PACS"))
        .findFirst().orElseThrow();
    assertThat(e.getAddress()).isEqualTo("dicoms://CITY_PACS@10.2.0.9:2762");
    assertThat(NetworkResources.peerCertificates(e)).containsExactly("CN=CITY_PACS,O=City Hospital");

    NetworkProperties bad = bind(Map.of(
        "radbridge.network.dicom-nodes[0].ae-title", "CT_A", "radbridge.network.dicom-nodes[0].organization", "centre-a",
        "radbridge.network.dicom-nodes[0].certificates[0]", "the CT's certificate"));
    assertThat(VALIDATOR.validate(bad)).singleElement()
        .satisfies(v -> assertThat(v.getPropertyPath().toString()).startsWith("dicomNodes[0].certificates[0]"));
  }

  @Test
  void anApplicationsCertificatesAreCheckedAtStartAndStoredOnItsDevice() {
    Map<String, String> settings = new HashMap<>(Map.of(
        "radbridge.network.hl7-applications[0].sending-application", "RIS_CITY",
        "radbridge.network.hl7-applications[0].sending-facility", "CITY_HOSP",
        "radbridge.network.hl7-applications[0].organization", "city-hospital",
        "radbridge.network.hl7-applications[0].certificates[0]", "O=City Hospital,CN=RIS_CITY",
        "radbridge.network.hl7-applications[0].certificates[1]", "sha256:" + "ab".repeat(32)));
    assertThat(VALIDATOR.validate(bind(settings))).isEmpty();
    Device d = (Device) NetworkResources.build(bind(settings)).stream()
        .filter(r -> r.getIdPart().equals("hl7app-RIS-CITY-CITY-HOSP")).findFirst().orElseThrow();
    assertThat(NetworkResources.clientCertificates(d)).containsExactly("O=City Hospital,CN=RIS_CITY",
        "sha256:" + "ab".repeat(32));

    settings.put("radbridge.network.hl7-applications[0].certificates[1]", "ris-city.crt");
    assertThat(VALIDATOR.validate(bind(settings))).singleElement().satisfies(v -> {
      assertThat(v.getPropertyPath().toString()).startsWith("hl7Applications[0].certificates[1]");
      assertThat(v.getInvalidValue()).isEqualTo("ris-city.crt");
    });
  }

  private static NetworkProperties bind(Map<String, String> settings) {
    return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("radbridge.network",
        NetworkProperties.class);
  }
}
