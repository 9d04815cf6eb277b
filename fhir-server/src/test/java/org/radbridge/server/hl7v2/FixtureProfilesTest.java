package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.util.Terser;
import io.restassured.path.json.JsonPath;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What RadBridge maps from a sender's message satisfies the network profile it claims: every order
 * and report fixture, sent over MLLP, becomes a resource that keeps its profile claim and carries
 * no {@code work-item|profile-failed} tag.
 */
class FixtureProfilesTest extends ServerTestBase {
  private static final Path DIR = Path.of("..", "mappers", "src", "test", "resources", "hl7v2");
  private static final String SID = "https://radbridge.org/fhir/sid/";
  private static final String PROFILES = "https://radbridge.org/fhir/StructureDefinition/";

  @Autowired
  MllpListener listener;

  private static List<String> fixtures(String prefix) throws Exception {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
    }
  }

  private static Charset charset(String name) {
    return name.contains("gb18030") ? Charset.forName("GB18030") : StandardCharsets.UTF_8;
  }

  @Test
  void everyOrderAndReportFixtureBecomesAResourceSatisfyingItsProfile() throws Exception {
    awaitConformanceReady();
    List<String> orders = fixtures("o").stream().filter(n -> n.startsWith("orm-") || n.startsWith("omi-"))
        // refused for its birth date, as it must be; and follow-ups of orders this loop does not place
        // (checked in MessageFixtureTest and RealSenderOrderTest)
        .filter(n -> !n.contains("impossible")).filter(n -> !n.matches(".*(cancel|discontinue|hold|change).*")).toList();
    assertThat(orders).hasSizeGreaterThanOrEqualTo(5);
    for (String name : orders) {
      String s = V2Fixtures.suffix();
      Map<String, String> fresh = new java.util.LinkedHashMap<>(V2Fixtures.freshOrder(s));
      fresh.put("|HISB-", "|HISB" + s + "-");
      fresh.put("B2026-0417", "B" + s);
      fresh.put("|B-000731|", "|B" + s + "|");
      fresh.put("B-ORD-731", "BO" + s);
      fresh.put("B731", "B7" + s);
      String text = V2Fixtures.with(V2Fixtures.text(name, charset(name)), fresh);
      String ack = TestMllpReceiver.sendRaw(listener.port(), text.getBytes(charset(name)));
      assertThat(ack).as(name + ": " + ack).contains("MSA|AA|");
      String org = text.contains("|HIS_B|CENTRE_B|") ? "centre-b" : "centre-a";
      String placer = new Terser(new ca.uhn.hl7v2.DefaultHapiContext().getPipeParser().parse(text)).get("/.ORC-2-1");
      JsonPath b = json().queryParam("identifier", SID + org + "/placer|" + placer).get("/ServiceRequest").jsonPath();
      assertThat(b.getList("entry")).as(name).hasSize(1);
      assertThat(b.getList("entry[0].resource.meta.profile")).as(name).contains(PROFILES + "rb-service-request");
      assertThat(b.getString("entry[0].resource.meta.tag.find { it.code == 'profile-failed' }")).as(name).isNull();
    }
  }

  @Test
  void aReportFixtureBecomesAReportSatisfyingItsProfile() throws Exception {
    awaitConformanceReady();
    for (String report : fixtures("oru-")) {
      String s = V2Fixtures.suffix();
      Map<String, String> fresh = V2Fixtures.freshOrder(s);
      String order = report.contains("placer-only") ? "orm-o01-his-a-placer-only.hl7" : "omi-o23-pacsoms-utf8.hl7";
      assertThat(TestMllpReceiver.sendRaw(listener.port(),
          V2Fixtures.with(V2Fixtures.text(order, StandardCharsets.UTF_8), fresh).getBytes(StandardCharsets.UTF_8)))
          .contains("MSA|AA|");
      // the report comes from the hospital the order is routed to (another hospital's would be quarantined)
      String reader = json().queryParam("identifier", SID + "centre-a/placer|PL-A" + s).get("/ServiceRequest")
          .jsonPath().getString("entry[0].resource.performer.find { it.reference?.startsWith('Organization') }.reference");
      if ("Organization/org-north-hospital".equals(reader)) {
        fresh.put("|RIS_CITY|CITY_HOSP|", "|RIS_NORTH|NORTH_HOSP|");
      }
      String ack = TestMllpReceiver.sendRaw(listener.port(),
          V2Fixtures.with(V2Fixtures.text(report, StandardCharsets.UTF_8), fresh).getBytes(StandardCharsets.UTF_8));
      assertThat(ack).as(report + ": " + ack).contains("MSA|AA|");
      String orderId = json().queryParam("identifier", SID + "centre-a/placer|PL-A" + s).get("/ServiceRequest")
          .jsonPath().getString("entry[0].resource.id");
      JsonPath b = json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").jsonPath();
      assertThat(b.getList("entry")).as(report).hasSize(1);
      assertThat(b.getList("entry[0].resource.meta.profile")).as(report).contains(PROFILES + "rb-diagnostic-report");
      assertThat(b.getString("entry[0].resource.meta.tag")).as(report).isNull();
    }
  }
}
