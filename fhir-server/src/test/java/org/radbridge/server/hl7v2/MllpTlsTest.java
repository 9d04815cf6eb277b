package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** MLLP over TLS: a key pair made with the JDK's keytool, served through a Spring SSL bundle. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "starts its own server on an embedded database")
class MllpTlsTest {
  @TempDir
  Path dir;

  @Test
  void theListenerSpeaksTlsWithTheBundlesKeyAndPlainClientsAreNotAnswered() throws Exception {
    Path store = dir.resolve("mllp.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "mllp", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "test-only")
        .redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(out).isZero();
    try (ConfigurableApplicationContext ctx = org.radbridge.server.TestServers.onDataDir(dir.resolve("data")).args(
        "--radbridge.validation.mode=off",
        "--spring.ssl.bundle.jks.mllp.keystore.location=file:" + store,
        "--spring.ssl.bundle.jks.mllp.keystore.password=test-only", "--spring.ssl.bundle.jks.mllp.keystore.type=PKCS12",
        "--radbridge.hl7v2.tls.enabled=true", "--radbridge.hl7v2.tls.bundle=mllp",
        "--radbridge.network.organizations[0].key=centre-a",
        "--radbridge.network.hl7-applications[0].sending-application=HIS_A",
        "--radbridge.network.hl7-applications[0].sending-facility=CENTRE_A",
        "--radbridge.network.hl7-applications[0].organization=centre-a",
        "--radbridge.network.hl7-applications[0].addresses[0]=127.0.0.1").start()) {
      int port = ctx.getBean(MllpListener.class).port();
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = java.nio.file.Files.newInputStream(store)) {
        trust.load(in, "test-only".toCharArray());
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext client = SSLContext.getInstance("TLS");
      client.init(null, tmf.getTrustManagers(), null);
      String adt = String.join("\r",
          "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ADT^A01|TLS-1|P|2.5.1",
          "EVN|A01|20261207091200", "PID|1||T1^^^CENTRE_A_MRN||Li^Lei");
      try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
        s.setSoTimeout(20_000);
        s.startHandshake();
        assertThat(s.getSession().getPeerCertificates()).hasSize(1);
        s.getOutputStream().write(TestMllpReceiver.frame(adt.getBytes(StandardCharsets.UTF_8)));
        s.getOutputStream().flush();
        String ack = readFrame(s.getInputStream());
        // answered over TLS: ADT^A01 is not a handled type, so the answer is AR
        assertThat(ack).contains("MSA|AR|TLS-1");
      }
      // a plain (non-TLS) client gets no HL7 answer
      try (java.net.Socket plain = new java.net.Socket("127.0.0.1", port)) {
        plain.setSoTimeout(3_000);
        plain.getOutputStream().write(TestMllpReceiver.frame(adt.getBytes(StandardCharsets.UTF_8)));
        plain.getOutputStream().flush();
        String answer;
        try {
          answer = readFrame(plain.getInputStream());
        } catch (java.io.IOException closedOrTimedOut) {
          answer = null;
        }
        assertThat(answer).isNull();
      }
    }
  }

  /**
   * Mutual TLS: the bundle's trust store (a test CA) checks client certificates; RIS_CITY's entry names
   * its certificate by SHA-256 fingerprint, RIS_DN's by subject DN, and neither lists 127.0.0.1 among
   * its addresses — over TLS the certificate recognises them instead. The keys and certificates were
   * made once with openssl (src/test/resources/tls/README.md).
   */
  @Test
  void withClientCertificatesAnApplicationIsRecognisedByItsCertificateAndAnotherValidOneIsRefused() throws Exception {
    String fingerprint = org.radbridge.server.network.CertificateNames.sha256(certificate("tls/ris-city.crt"));
    try (ConfigurableApplicationContext ctx = org.radbridge.server.TestServers.onDataDir(dir.resolve("data")).args(
        "--radbridge.validation.mode=off",
        "--spring.ssl.bundle.pem.mllp.keystore.certificate=classpath:tls/server.crt",
        "--spring.ssl.bundle.pem.mllp.keystore.private-key=classpath:tls/server.key",
        "--spring.ssl.bundle.pem.mllp.truststore.certificate=classpath:tls/ca.crt",
        "--radbridge.hl7v2.tls.enabled=true", "--radbridge.hl7v2.tls.bundle=mllp",
        "--radbridge.hl7v2.tls.client-auth=want",
        "--radbridge.network.organizations[0].key=city-hospital",
        "--radbridge.network.hl7-applications[0].sending-application=RIS_CITY",
        "--radbridge.network.hl7-applications[0].sending-facility=CITY_HOSP",
        "--radbridge.network.hl7-applications[0].organization=city-hospital",
        "--radbridge.network.hl7-applications[0].addresses[0]=192.0.2.7",
        // colons and upper case as openssl prints it
        "--radbridge.network.hl7-applications[0].certificates[0]=" + fingerprint.toUpperCase().replaceAll("(..)(?!$)", "$1:"),
        "--radbridge.network.hl7-applications[1].sending-application=RIS_DN",
        "--radbridge.network.hl7-applications[1].sending-facility=CITY_HOSP",
        "--radbridge.network.hl7-applications[1].organization=city-hospital",
        "--radbridge.network.hl7-applications[1].addresses[0]=192.0.2.7",
        "--radbridge.network.hl7-applications[1].certificates[0]=O=City Hospital, CN=RIS_CITY").start()) {
      int port = ctx.getBean(MllpListener.class).port();
      for (String app : new String[] {"RIS_CITY", "RIS_DN"}) {
        String right = exchange(port, "tls/ris-city", adt(app, "R" + app));
        assertThat(right).as(right).contains("MSA|AA|R" + app);
        String other = exchange(port, "tls/ris-other", adt(app, "O" + app));
        assertThat(other).as(other).contains("MSA|AR|O" + app).contains("|207^").contains("TLS client certificate")
            .contains("nothing was stored");
        String none = exchange(port, null, adt(app, "N" + app));
        assertThat(none).as(none).contains("MSA|AR|N" + app).contains("TLS client certificate");
      }
      // only what the right certificate sent was stored
      org.springframework.jdbc.core.JdbcTemplate jdbc = ctx.getBean(org.springframework.jdbc.core.JdbcTemplate.class);
      assertThat(jdbc.queryForList("select control_id from hl7_message order by control_id", String.class))
          .containsExactly("RRIS_CITY", "RRIS_DN");
    }
  }

  /**
   * client-auth need: a client without a certificate the bundle trusts gets no HL7 answer (the handshake
   * fails); an application whose entry names no certificate is recognised by its address, whatever
   * trusted certificate it presents. client-auth without a TLS listener stops the start.
   */
  @Test
  void needRefusesTheHandshakeWithoutACertificateAndAnEntryWithoutCertificatesKeepsItsAddress() throws Exception {
    try (ConfigurableApplicationContext ctx = org.radbridge.server.TestServers.onDataDir(dir.resolve("data")).args(
        "--radbridge.validation.mode=off",
        "--spring.ssl.bundle.pem.mllp.keystore.certificate=classpath:tls/server.crt",
        "--spring.ssl.bundle.pem.mllp.keystore.private-key=classpath:tls/server.key",
        "--spring.ssl.bundle.pem.mllp.truststore.certificate=classpath:tls/ca.crt",
        "--radbridge.hl7v2.tls.enabled=true", "--radbridge.hl7v2.tls.bundle=mllp",
        "--radbridge.hl7v2.tls.client-auth=need",
        "--radbridge.network.organizations[0].key=city-hospital",
        "--radbridge.network.hl7-applications[0].sending-application=RIS_CITY",
        "--radbridge.network.hl7-applications[0].sending-facility=CITY_HOSP",
        "--radbridge.network.hl7-applications[0].organization=city-hospital",
        "--radbridge.network.hl7-applications[0].addresses[0]=127.0.0.1").start()) {
      int port = ctx.getBean(MllpListener.class).port();
      String answer;
      try {
        answer = exchange(port, null, adt("RIS_CITY", "NONE1"));
      } catch (java.io.IOException handshakeRefused) {
        answer = null;
      }
      assertThat(answer).isNull();
      String other = exchange(port, "tls/ris-other", adt("RIS_CITY", "OTHER1"));
      assertThat(other).as(other).contains("MSA|AA|OTHER1");
    }
    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> org.radbridge.server.TestServers
        .onDataDir(dir.resolve("data2")).args("--radbridge.hl7v2.tls.client-auth=want").start().close());
    StringBuilder chain = new StringBuilder();
    for (Throwable t = refused; t != null; t = t.getCause()) {
      chain.append(t.getMessage()).append('\n');
    }
    assertThat(chain.toString()).contains("radbridge.hl7v2.tls.client-auth=want needs radbridge.hl7v2.tls.enabled=true");
  }

  private static String adt(String app, String controlId) {
    return String.join("\r",
        "MSH|^~\\&|" + app + "|CITY_HOSP|RADBRIDGE|NETWORK|20261207091200||ADT^A08|" + controlId + "|P|2.5.1",
        "EVN|A08|20261207091200", "PID|1||" + controlId + "||Li^Lei||19700101|M");
  }

  /** One message over a TLS connection that presents {@code client} (its .crt and .key), or no certificate. */
  private static String exchange(int port, String client, String message) throws Exception {
    org.springframework.boot.ssl.pem.PemSslStoreDetails key = client == null ? null
        : org.springframework.boot.ssl.pem.PemSslStoreDetails.forCertificate("classpath:" + client + ".crt")
            .withPrivateKey("classpath:" + client + ".key");
    SSLContext context = org.springframework.boot.ssl.SslBundle.of(new org.springframework.boot.ssl.pem.PemSslStoreBundle(
        key, org.springframework.boot.ssl.pem.PemSslStoreDetails.forCertificate("classpath:tls/ca.crt")))
        .createSslContext();
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      s.startHandshake();
      s.getOutputStream().write(TestMllpReceiver.frame(message.getBytes(StandardCharsets.UTF_8)));
      s.getOutputStream().flush();
      return readFrame(s.getInputStream());
    }
  }

  private static java.security.cert.X509Certificate certificate(String resource) throws Exception {
    try (InputStream in = MllpTlsTest.class.getClassLoader().getResourceAsStream(resource)) {
      return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in);
    }
  }

  private static String readFrame(InputStream in) throws java.io.IOException {
    int b;
    while ((b = in.read()) != 0x0b) {
      if (b < 0) {
        return null;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while ((b = in.read()) != 0x1c) {
      if (b < 0) {
        return null;
      }
      body.write(b);
    }
    return body.toString(StandardCharsets.UTF_8);
  }
}
