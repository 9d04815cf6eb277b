package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Source addresses (IP addresses and CIDR ranges, IPv4 and IPv6) and their settings, without a server. */
class SourceAddressesTest {
  private static SourceAddresses of(String... entries) {
    return SourceAddresses.parse(List.of(entries));
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no lookup
  }

  @Test
  void anAddressMatchesOnlyItself() throws Exception {
    SourceAddresses s = of("10.1.2.7");
    assertThat(s.matches(ip("10.1.2.7"))).isTrue();
    assertThat(s.matches(ip("10.1.2.8"))).isFalse();
    assertThat(s.matches(ip("10.1.2.70"))).isFalse();
    assertThat(s.matches(null)).isFalse();
  }

  @Test
  void cidrRangesMatchTheirAddressesAndNoOthers() throws Exception {
    SourceAddresses s = of("10.1.2.0/24", "192.168.0.0/23", "172.16.0.0/12");
    assertThat(s.matches(ip("10.1.2.0"))).isTrue();
    assertThat(s.matches(ip("10.1.2.255"))).isTrue();
    assertThat(s.matches(ip("10.1.3.0"))).isFalse();
    assertThat(s.matches(ip("192.168.1.200"))).isTrue(); // /23: a prefix that ends inside a byte
    assertThat(s.matches(ip("192.168.2.1"))).isFalse();
    assertThat(s.matches(ip("172.31.255.255"))).isTrue();
    assertThat(s.matches(ip("172.32.0.0"))).isFalse();
    assertThat(of("10.1.2.5/24").matches(ip("10.1.2.200"))).as("host bits after the prefix ignored").isTrue();
    assertThat(of("0.0.0.0/0").matches(ip("203.0.113.9"))).isTrue();
    assertThat(of("0.0.0.0/0").matches(ip("2001:db8::1"))).as("all of IPv4 is not IPv6").isFalse();
    assertThat(of().matches(ip("10.1.2.7"))).as("no entries: nothing").isFalse();
  }

  @Test
  void ipv6AddressesAndRanges() throws Exception {
    SourceAddresses s = of("2001:db8:1::/48", "fe80::1", "::1");
    assertThat(s.matches(ip("2001:db8:1:ffff::9"))).isTrue();
    assertThat(s.matches(ip("2001:db8:2::9"))).isFalse();
    assertThat(s.matches(ip("FE80:0:0:0:0:0:0:1"))).isTrue();
    assertThat(s.matches(ip("::1"))).isTrue();
    assertThat(s.matches(ip("127.0.0.1"))).as("IPv6 loopback is not IPv4 loopback").isFalse();
    assertThat(of("::/0").matches(ip("2001:db8::1"))).isTrue();
  }

  @Test
  void ipv4MappedIpv6IsTheSameAsIpv4EitherWayRound() throws Exception {
    // a peer reported as IPv4-mapped IPv6 (a dual-stack socket) matches an IPv4 entry ...
    java.net.Inet6Address mapped = java.net.Inet6Address.getByAddress(null,
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 7}, -1);
    assertThat(of("10.1.2.0/24").matches(mapped)).isTrue();
    assertThat(of("10.1.3.0/24").matches(mapped)).isFalse();
    // ... and an entry written IPv4-mapped matches the IPv4 peer, its prefix counted in 128 bits
    assertThat(of("::ffff:10.1.2.0/120").matches(ip("10.1.2.99"))).isTrue();
    assertThat(of("::ffff:10.1.2.0/120").matches(ip("10.1.3.99"))).isFalse();
    assertThat(of("::ffff:10.1.2.7").matches(ip("10.1.2.7"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "10.1.2", "10.1.2.3.4", "10.1.2.256", "010.1.2.3", "10.1.2.0/33", "10.1.2.0/",
      "10.1.2.0/-1", "10.1.2.0/a", "2001:db8::/129", "2001:db8::1%eth0", "2001:db8:::1", "localhost", "ct-a.example",
      "10.1.2.0/24/8", "[::1]", "1.2.3.4 5"})
  void whatIsNotAnAddressOrRangeIsRefusedAndNeverLookedUp(String entry) {
    assertThat(SourceAddresses.problemWith(entry)).isPresent();
    assertThatThrownBy(() -> of(entry)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exactlyTheResolvedAddressesOfAHost() throws Exception {
    SourceAddresses s = SourceAddresses.exactly(List.of(ip("127.0.0.1"), ip("::1")));
    assertThat(s.matches(ip("127.0.0.1"))).isTrue();
    assertThat(s.matches(ip("::1"))).isTrue();
    assertThat(s.matches(ip("127.0.0.2"))).isFalse();
  }

  private static NetworkProperties network(Map<String, String> settings) {
    return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("radbridge.network",
        NetworkProperties.class);
  }

  @Test
  void theSettingIsCheckedAtStartAndStoredAsExtensionsOfTheEndpointAndTheDevice() {
    NetworkProperties n = network(Map.of(
        "radbridge.network.dicom-nodes[0].ae-title", "CT_A", "radbridge.network.dicom-nodes[0].host", "10.1.0.5",
        "radbridge.network.dicom-nodes[0].organization", "centre-a", "radbridge.network.dicom-nodes[0].role", "modality",
        "radbridge.network.dicom-nodes[0].addresses[0]", "10.1.0.0/24",
        "radbridge.network.dicom-nodes[0].addresses[1]", "2001:db8::5",
        "radbridge.network.hl7-applications[0].sending-application", "HIS_A",
        "radbridge.network.hl7-applications[0].sending-facility", "CENTRE_A",
        "radbridge.network.hl7-applications[0].organization", "centre-a",
        "radbridge.network.hl7-applications[0].addresses[0]", "10.1.0.7"));
    assertThat(Validation.buildDefaultValidatorFactory().getValidator().validate(n)).isEmpty();
    List<Resource> resources = NetworkResources.build(n);
    Endpoint e = (Endpoint) resources.stream().filter(r -> r.getIdPart().equals("dicom-CT-A")).findFirst().orElseThrow();
    assertThat(NetworkResources.sourceAddresses(e)).containsExactly("10.1.0.0/24", "2001:db8::5");
    Device d = (Device) resources.stream().filter(r -> r.getIdPart().equals("hl7app-HIS-A-CENTRE-A")).findFirst()
        .orElseThrow();
    assertThat(NetworkResources.sourceAddresses(d)).containsExactly("10.1.0.7");
    assertThat(d.getExtension().get(0).getUrl()).isEqualTo("https://radbridge.org/fhir/StructureDefinition/source-address");

    NetworkProperties bad = network(Map.of(
        "radbridge.network.hl7-applications[0].sending-application", "HIS_A",
        "radbridge.network.hl7-applications[0].sending-facility", "CENTRE_A",
        "radbridge.network.hl7-applications[0].organization", "centre-a",
        "radbridge.network.hl7-applications[0].addresses[0]", "10.1.0.0/24",
        "radbridge.network.hl7-applications[0].addresses[1]", "his-a.example"));
    Set<ConstraintViolation<NetworkProperties>> violations = Validation.buildDefaultValidatorFactory().getValidator()
        .validate(bad);
    assertThat(violations).singleElement().satisfies(v -> {
      assertThat(v.getPropertyPath().toString()).startsWith("hl7Applications[0].addresses[1]");
      assertThat(v.getInvalidValue()).isEqualTo("his-a.example");
    });
  }
}
