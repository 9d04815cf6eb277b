package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client certificate entries of HL7 applications: SHA-256 fingerprints and subject DNs, against real certificates. */
class ClientCertificatesTest {
  private static X509Certificate cert(String name) throws Exception {
    try (InputStream in = ClientCertificatesTest.class.getClassLoader().getResourceAsStream("tls/" + name + ".crt")) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void aFingerprintNamesExactlyItsCertificateInAnySpelling() throws Exception {
    X509Certificate city = cert("ris-city");
    X509Certificate other = cert("ris-other");
    String hex = ClientCertificates.sha256(city);
    assertThat(hex).matches("[0-9a-f]{64}");
    String colons = hex.toUpperCase().replaceAll("(..)(?!$)", "$1:");
    for (String entry : List.of(hex, colons, "sha256:" + hex, "SHA-256:" + colons, " " + hex + " ")) {
      assertThat(ClientCertificates.problemWith(entry)).as(entry).isEmpty();
      assertThat(ClientCertificates.matches(List.of(entry), city)).as(entry).isTrue();
      assertThat(ClientCertificates.matches(List.of(entry), other)).as(entry).isFalse();
    }
  }

  @Test
  void aSubjectDnNamesItsSubjectInRfc2253Order() throws Exception {
    X509Certificate city = cert("ris-city");
    assertThat(ClientCertificates.matches(List.of("O=City Hospital,CN=RIS_CITY"), city)).isTrue();
    assertThat(ClientCertificates.matches(List.of("o=city hospital, cn=ris_city"), city)).isTrue();
    assertThat(ClientCertificates.matches(List.of("CN=RIS_CITY,O=City Hospital"), city)).isFalse(); // RDN order counts
    assertThat(ClientCertificates.matches(List.of("O=City Hospital,CN=RIS_CITY"), cert("ris-other"))).isFalse();
    assertThat(ClientCertificates.matches(List.of("O=City Hospital,CN=RIS_CITY"), null)).isFalse();
  }

  @Test
  void anythingElseIsAProblemAndNamesNothing() throws Exception {
    for (String entry : new String[] {"", "  ", "abc", "0f46ece0", "sha256:zz", "CN=\"unterminated"}) {
      assertThat(ClientCertificates.problemWith(entry)).as(entry).isPresent();
      assertThat(ClientCertificates.matches(List.of(entry), cert("ris-city"))).as(entry).isFalse();
    }
  }

  @Test
  void theSettingIsCheckedAtStartAndStoredAsExtensionsOfTheDevice() {
    java.util.Map<String, String> settings = new java.util.HashMap<>(java.util.Map.of(
        "radbridge.network.hl7-applications[0].sending-application", "RIS_CITY",
        "radbridge.network.hl7-applications[0].sending-facility", "CITY_HOSP",
        "radbridge.network.hl7-applications[0].organization", "city-hospital",
        "radbridge.network.hl7-applications[0].certificates[0]", "O=City Hospital,CN=RIS_CITY",
        "radbridge.network.hl7-applications[0].certificates[1]", "sha256:" + "ab".repeat(32)));
    NetworkProperties n = new org.springframework.boot.context.properties.bind.Binder(
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(settings))
        .bindOrCreate("radbridge.network", NetworkProperties.class);
    var validator = jakarta.validation.Validation.buildDefaultValidatorFactory().getValidator();
    assertThat(validator.validate(n)).isEmpty();
    org.hl7.fhir.r4.model.Device d = (org.hl7.fhir.r4.model.Device) NetworkResources.build(n).stream()
        .filter(r -> r.getIdPart().equals("hl7app-RIS-CITY-CITY-HOSP")).findFirst().orElseThrow();
    assertThat(NetworkResources.clientCertificates(d)).containsExactly("O=City Hospital,CN=RIS_CITY",
        "sha256:" + "ab".repeat(32));

    settings.put("radbridge.network.hl7-applications[0].certificates[1]", "ris-city.crt");
    NetworkProperties bad = new org.springframework.boot.context.properties.bind.Binder(
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(settings))
        .bindOrCreate("radbridge.network", NetworkProperties.class);
    assertThat(validator.validate(bad)).singleElement().satisfies(v -> {
      assertThat(v.getPropertyPath().toString()).startsWith("hl7Applications[0].certificates[1]");
      assertThat(v.getInvalidValue()).isEqualTo("ris-city.crt");
    });
  }
}
