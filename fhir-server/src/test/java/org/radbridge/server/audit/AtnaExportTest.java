package org.radbridge.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.TestServers;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * ATNA export: an audit record repository — here a plain TLS server socket reading RFC 5425
 * octet-counted frames — receives a well-formed RFC 5424 message for a write and for a read, each
 * carrying its FHIR AuditEvent.
 */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "starts its own server on an embedded database")
class AtnaExportTest {
  /** RFC 5424: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, then the BOM and the message. */
  private static final Pattern SYSLOG = Pattern.compile(
      "<(\\d{1,3})>1 (\\S+) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) - \uFEFF(\\{.*})", Pattern.DOTALL);

  @TempDir
  Path dir;

  @Test
  void theRepositoryReceivesAnRfc5424MessageForAWriteAndForARead() throws Exception {
    Path store = dir.resolve("arr.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "arr", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "test-only")
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(out).isZero();
    List<String> received = new CopyOnWriteArrayList<>();
    try (SSLServerSocket repository = repository(store, received);
        ConfigurableApplicationContext node = TestServers.onDataDir(dir.resolve("data")).args(
            "--radbridge.validation.mode=off",
            "--spring.ssl.bundle.jks.arr.truststore.location=file:" + store,
            "--spring.ssl.bundle.jks.arr.truststore.password=test-only",
            "--spring.ssl.bundle.jks.arr.truststore.type=PKCS12",
            "--radbridge.audit.atna.enabled=true", "--radbridge.audit.atna.host=127.0.0.1",
            "--radbridge.audit.atna.port=" + repository.getLocalPort(), "--radbridge.audit.atna.bundle=arr").start()) {
      int port = TestServers.port(node);
      String patient = RestAssured.given().port(port).basePath("/fhir").contentType("application/fhir+json")
          .body("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Atna\"}]}").post("/Patient").then()
          .statusCode(201).extract().path("id");
      RestAssured.given().port(port).basePath("/fhir").accept("application/fhir+json").get("/Patient/" + patient)
          .then().statusCode(200);

      FhirContext ctx = FhirContext.forR4Cached();
      Await.until("the write and the read at the repository", Duration.ofSeconds(30), () -> events(received, ctx)
          .stream().filter(e -> e.getEntity().stream().anyMatch(x -> ("Patient/" + patient).equals(x.getWhat().getReference())))
          .map(e -> e.getSubtypeFirstRep().getCode()).toList().containsAll(List.of("create", "read")));
      for (String message : received) {
        Matcher m = SYSLOG.matcher(message);
        assertThat(m.matches()).as(message).isTrue();
        assertThat(Integer.parseInt(m.group(1)) / 8).as("facility: security/authorization").isEqualTo(10);
        assertThat(Instant.parse(m.group(2))).isBefore(Instant.now().plusSeconds(1));
        assertThat(m.group(4)).isEqualTo("RadBridge");
        assertThat(m.group(6)).isEqualTo("AuditEvent");
      }
      AuditEvent write = events(received, ctx).stream().filter(e -> "create".equals(e.getSubtypeFirstRep().getCode())
          && e.getEntity().stream().anyMatch(x -> ("Patient/" + patient).equals(x.getWhat().getReference())))
          .findFirst().orElseThrow();
      assertThat(write.getOutcome().toCode()).isEqualTo("0");
      assertThat(write.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("test-admin");
      assertThat(write.getAgentFirstRep().getNetwork().getAddress()).isEqualTo("127.0.0.1");
    }
  }

  private static List<AuditEvent> events(List<String> received, FhirContext ctx) {
    return received.stream().map(SYSLOG::matcher).filter(Matcher::matches)
        .map(m -> ctx.newJsonParser().parseResource(AuditEvent.class, m.group(7))).toList();
  }

  /** A TLS server with the key pair in {@code store}, keeping every RFC 5425 frame it reads. */
  private static SSLServerSocket repository(Path store, List<String> received) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "test-only".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "test-only".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (java.net.Socket s = server.accept(); InputStream in = s.getInputStream()) {
          s.setSoTimeout(20_000);
          String frame;
          while ((frame = frame(in)) != null) {
            received.add(frame);
          }
        } catch (IOException ended) {
          // the next connection
        }
      }
    }, "test-audit-repository");
    t.setDaemon(true);
    t.start();
    return server;
  }

  /** One octet-counted frame (RFC 5425: MSG-LEN SP SYSLOG-MSG), or null at the end of the stream. */
  private static String frame(InputStream in) throws IOException {
    int length = 0;
    int b;
    int digits = 0;
    while ((b = in.read()) != ' ') {
      if (b < 0) {
        if (digits == 0) {
          return null;
        }
        throw new IOException("the stream ended inside MSG-LEN");
      }
      if (b < '0' || b > '9' || ++digits > 9) {
        throw new IOException("MSG-LEN is not a number: byte " + b);
      }
      length = length * 10 + (b - '0');
    }
    byte[] message = in.readNBytes(length);
    if (message.length < length) {
      throw new IOException("the stream ended after " + message.length + " of " + length + " octets");
    }
    return new String(message, StandardCharsets.UTF_8);
  }
}
