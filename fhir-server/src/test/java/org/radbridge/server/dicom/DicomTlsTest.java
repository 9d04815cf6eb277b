package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.TestServers;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * DICOM over TLS with DCMTK on both sides: the listener speaks TLS with the key of a Spring Boot PEM
 * bundle (src/test/resources/tls, a test CA) and asks for client certificates (want); a node that
 * names its certificate — by subject (CT_A) or SHA-256 fingerprint (MR_A) — is let in only showing
 * it, from its address as always; a node that names none (US_B) associates over TLS without one; a
 * plain client is refused at once and the listener goes on serving; a study is forwarded to a
 * {@code dicoms://} PACS (DCMTK storescp +tls) over TLS.
 */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "starts its own server on an embedded database")
class DicomTlsTest {
  private static final Path TLS = Path.of("src/test/resources/tls").toAbsolutePath();
  /** ct-a.pem's SHA-256 fingerprint as openssl x509 -fingerprint -sha256 prints it. */
  private static final String CT_A_FINGERPRINT =
      "SHA-256:BB:D8:70:54:48:A4:8F:1C:DB:EA:78:00:8B:77:D4:46:A5:DA:BF:54:AD:33:3C:35:2E:A7:6E:70:92:27:B5:D3";

  @TempDir
  static Path dir;
  private static ConfigurableApplicationContext server;
  private static int port;
  private static int pacsPort;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      pacsPort = s.getLocalPort();
    }
    server = TestServers.onDataDir(dir.resolve("data"))
        .with("radbridge.validation.mode", "off")
        .with("radbridge.outbox.initial-backoff", "100ms").with("radbridge.outbox.max-backoff", "300ms")
        .with("radbridge.outbox.poll-interval", "50ms")
        .with("spring.ssl.bundle.pem.dicom.keystore.certificate", "file:" + TLS.resolve("radbridge.pem"))
        .with("spring.ssl.bundle.pem.dicom.keystore.private-key", "file:" + TLS.resolve("radbridge.key"))
        .with("spring.ssl.bundle.pem.dicom.truststore.certificate", "file:" + TLS.resolve("ca.pem"))
        .with("radbridge.dicom.tls.enabled", true).with("radbridge.dicom.tls.bundle", "dicom")
        .with("radbridge.dicom.tls.client-auth", "want")
        .with("radbridge.network.organizations[0].key", "centre-a")
        .with("radbridge.network.organizations[1].key", "centre-b")
        .with("radbridge.network.organizations[2].key", "city-hospital")
        .args(node(0, "CT_A", "centre-a", "modality", 11300))
        .with("radbridge.network.dicom-nodes[0].certificates[0]", "CN=CT_A, O=Centre A")
        .args(node(1, "MR_A", "centre-a", "modality", 11301))
        .with("radbridge.network.dicom-nodes[1].certificates[0]", CT_A_FINGERPRINT)
        .args(node(2, "US_B", "centre-b", "modality", 11302))
        .args(node(3, "CITY_PACS", "city-hospital", "pacs", pacsPort))
        .with("radbridge.network.dicom-nodes[3].tls", true)
        .with("radbridge.network.routing.default-reading", "city-hospital").start();
    port = server.getBean(DicomListener.class).port();
  }

  private static String[] node(int i, String ae, String org, String role, int nodePort) {
    String p = "--radbridge.network.dicom-nodes[" + i + "].";
    return new String[] {p + "ae-title=" + ae, p + "host=127.0.0.1", p + "port=" + nodePort, p + "organization=" + org,
        p + "role=" + role};
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private record Run(int exit, String output) {}

  /** A DCMTK tool, which must end within 30 s (a refusal is no hang). */
  private static Run dcmtk(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " ended").isTrue();
    return new Run(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The options of a TLS client with {@code name}'s key and certificate (null: anonymous TLS, no certificate). */
  private static List<String> tls(String name) {
    List<String> o = new ArrayList<>(name == null ? List.of("+tla")
        : List.of("+tls", TLS.resolve(name + ".key").toString(), TLS.resolve(name + ".pem").toString(), "-pw"));
    o.addAll(List.of("+cf", TLS.resolve("ca.pem").toString()));
    return o;
  }

  private static Run echo(String ae, List<String> tls) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("echoscu", "-v", "-aet", ae, "-aec", "RADBRIDGE"));
    cmd.addAll(tls);
    cmd.addAll(List.of("127.0.0.1", String.valueOf(port)));
    return dcmtk(cmd);
  }

  private static long count(String sql, Object... args) {
    Long n = server.getBean(JdbcTemplate.class).queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }

  @Test
  void aNodeShowingItsCertificateStoresAStudyOverTlsAndItIsForwardedOverTls() throws Exception {
    Path received = Files.createDirectories(dir.resolve("pacs"));
    List<String> pacsCmd = new ArrayList<>(List.of("storescp", "-aet", "CITY_PACS", "-od", received.toString()));
    pacsCmd.addAll(tls("city-pacs"));
    pacsCmd.add(String.valueOf(pacsPort));
    Process pacs = new ProcessBuilder(pacsCmd).redirectErrorStream(true).start();
    try {
      Await.listening(pacsPort, Duration.ofSeconds(10));
      assertThat(echo("CT_A", tls("ct-a")).exit()).isZero();
      Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", dir, "(0008,0050)=TLS1");
      String sop = TestDicomFiles.tag(ct, "0008,0018");
      List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE"));
      cmd.addAll(tls("ct-a"));
      cmd.addAll(List.of("127.0.0.1", String.valueOf(port), ct.toString()));
      Run stored = dcmtk(cmd);
      assertThat(stored.exit()).as(stored.output()).isZero();
      assertThat(stored.output()).contains("Received Store Response (Success)");
      assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ? AND calling_ae = 'CT_A'"
          + " AND sender_org = 'centre-a'", sop)).isEqualTo(1);
      // no order: routed by default to city-hospital, whose PACS is reached at dicoms://
      Await.until("the instance received by the TLS PACS", Duration.ofSeconds(30),
          () -> TestDicomFiles.receivedSops(received).contains(sop));
      // the PACS answered Success over TLS: the row is delivered once the association is released
      Await.until("the forwarding row delivered", Duration.ofSeconds(30), () -> count("SELECT count(*) FROM outbox"
          + " WHERE kind = 'dicom-cstore' AND destination = 'CITY_PACS' AND state = 'delivered' AND payload LIKE ?",
          "%" + sop + "%") == 1);
    } finally {
      pacs.destroy();
    }
  }

  @Test
  void aPlainClientIsRefusedAtOnceAndTheListenerGoesOnServing() throws Exception {
    Run plain = dcmtk(List.of("echoscu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(port)));
    assertThat(plain.exit()).as(plain.output()).isNotZero();
    assertThat(plain.output()).doesNotContain("Received Echo Response");
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", dir, "(0008,0050)=TLS2");
    Run plainStore = dcmtk(List.of("storescu", "-aet", "US_B", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(port),
        ct.toString()));
    assertThat(plainStore.exit()).as(plainStore.output()).isNotZero();
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", TestDicomFiles.tag(ct, "0008,0018")))
        .isZero();
    Run again = echo("CT_A", tls("ct-a"));
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).contains("Received Echo Response (Success)");
  }

  @Test
  void aNodeThatNamesItsCertificateIsLetInOnlyShowingIt() throws Exception {
    // another certificate of the same CA, or none at all: A-ASSOCIATE-RJ (calling AE title not recognized)
    Run rogue = echo("CT_A", tls("rogue"));
    assertThat(rogue.exit()).as(rogue.output()).isNotZero();
    assertThat(rogue.output()).contains("Association Rejected");
    Run anonymous = echo("CT_A", tls(null));
    assertThat(anonymous.exit()).as(anonymous.output()).isNotZero();
    assertThat(anonymous.output()).contains("Association Rejected");
    // named by its fingerprint: this certificate, under the other AE title
    Run byFingerprint = echo("MR_A", tls("ct-a"));
    assertThat(byFingerprint.exit()).as(byFingerprint.output()).isZero();
    assertThat(echo("MR_A", tls("rogue")).output()).contains("Association Rejected");
    // a node that names no certificate: over TLS with or without one (client-auth want)
    assertThat(echo("US_B", tls(null)).exit()).isZero();
    assertThat(echo("US_B", tls("rogue")).exit()).isZero();
  }
}
