package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** A study received while the reading hospital's PACS is down reaches it after RadBridge restarts. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "restarts the embedded database in its own data directory")
class ForwardingRestartTest {
  @TempDir
  Path dir;

  private ConfigurableApplicationContext start(int pacsPort) {
    return org.radbridge.server.TestServers.onDataDir(dir.resolve("data"))
        .with("radbridge.outbox.initial-backoff", "100ms").with("radbridge.outbox.max-backoff", "300ms")
        .with("radbridge.outbox.poll-interval", "50ms")
        .with("radbridge.network.organizations[0].key", "centre-a")
        .with("radbridge.network.organizations[1].key", "city-hospital")
        .with("radbridge.network.dicom-nodes[0].ae-title", "CT_A").with("radbridge.network.dicom-nodes[0].host", "127.0.0.1")
        .with("radbridge.network.dicom-nodes[0].organization", "centre-a")
        .with("radbridge.network.dicom-nodes[0].role", "modality")
        .with("radbridge.network.dicom-nodes[1].ae-title", "CITY_PACS")
        .with("radbridge.network.dicom-nodes[1].host", "127.0.0.1")
        .with("radbridge.network.dicom-nodes[1].port", pacsPort)
        .with("radbridge.network.dicom-nodes[1].organization", "city-hospital")
        .with("radbridge.network.dicom-nodes[1].role", "pacs")
        .with("radbridge.network.routing.default-reading", "city-hospital").start();
  }

  private static long count(ConfigurableApplicationContext ctx, String sql) {
    Long n = ctx.getBean(JdbcTemplate.class).queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }

  @Test
  void forwardingResumesAfterARestart() throws Exception {
    int pacsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      pacsPort = s.getLocalPort();
    }
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", dir, "(0008,0050)=RST1");
    try (ConfigurableApplicationContext first = start(pacsPort)) {
      int http = ((WebServerApplicationContext) first).getWebServer().getPort();
      RestAssured.given().port(http).basePath("/fhir").contentType("application/fhir+json").body("""
          {"resourceType":"ServiceRequest","status":"active","intent":"order",
           "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
             "system":"https://radbridge.org/fhir/sid/centre-a/accession","value":"RST1"}],
           "subject":{"reference":"Patient/p1"}}""").post("/ServiceRequest").then().statusCode(201);
      int dicom = first.getBean(DicomListener.class).port();
      ProcessBuilder pb = new ProcessBuilder("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
          String.valueOf(dicom), ct.toString()).redirectErrorStream(true);
      pb.environment().put("TCP_NODELAY", "1");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(out).isZero();
      org.radbridge.server.Await.until("a forwarding row failed at least once (the PACS is down)", java.time.Duration.ofMillis(30_000), () -> !(count(first, "SELECT count(*) FROM outbox WHERE kind = 'dicom-cstore' AND attempts >= 1 AND state = 'pending'") == 0));
      assertThat(count(first, "SELECT count(*) FROM outbox WHERE kind = 'dicom-cstore' AND state = 'pending'")).isEqualTo(1);
    }
    Path received = Files.createDirectories(dir.resolve("pacs"));
    Process pacs = new ProcessBuilder("storescp", "-aet", "CITY_PACS", "-od", received.toString(),
        String.valueOf(pacsPort)).redirectErrorStream(true).start();
    try (ConfigurableApplicationContext second = start(pacsPort)) {
      org.radbridge.server.Await.until("the forwarding row delivered after the restart", java.time.Duration.ofMillis(30_000), () -> !(count(second, "SELECT count(*) FROM outbox WHERE kind = 'dicom-cstore' AND state = 'delivered'") == 0));
      try (var files = Files.list(received)) {
        List<Path> got = files.toList();
        assertThat(got).hasSize(1);
        assertThat(TestDicomFiles.tag(got.get(0), "0008,0018")).isEqualTo(TestDicomFiles.tag(ct, "0008,0018"));
      }
    } finally {
      pacs.destroy();
    }
  }
}
