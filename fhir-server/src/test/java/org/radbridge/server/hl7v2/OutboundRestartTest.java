package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** An ORM queued while the hospital's RIS is down reaches it, once, after RadBridge restarts. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "restarts the embedded database in its own data directory")
class OutboundRestartTest {
  @TempDir
  Path dir;

  private ConfigurableApplicationContext start(int risPort) {
    return org.radbridge.server.TestServers.onDataDir(dir.resolve("data")).args(
        "--radbridge.validation.mode=off",
        "--radbridge.outbox.initial-backoff=100ms", "--radbridge.outbox.max-backoff=300ms",
        "--radbridge.outbox.poll-interval=50ms",
        "--radbridge.network.organizations[0].key=centre-a", "--radbridge.network.organizations[1].key=city-hospital",
        "--radbridge.network.hl7-applications[0].sending-application=HIS_A",
        "--radbridge.network.hl7-applications[0].sending-facility=CENTRE_A",
        "--radbridge.network.hl7-applications[0].organization=centre-a",
        "--radbridge.network.hl7-applications[0].addresses[0]=127.0.0.1", // it takes nothing back: no outbound
        "--radbridge.network.hl7-applications[1].sending-application=RIS_CITY",
        "--radbridge.network.hl7-applications[1].sending-facility=CITY_HOSP",
        "--radbridge.network.hl7-applications[1].organization=city-hospital",
        "--radbridge.network.hl7-applications[1].outbound=127.0.0.1:" + risPort,
        "--radbridge.network.routing.default-reading=city-hospital").start();
  }

  private static long count(ConfigurableApplicationContext ctx, String sql) {
    Long n = ctx.getBean(JdbcTemplate.class).queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }

  @Test
  void anOrderQueuedWhileTheRisIsDownIsDeliveredAfterARestart() throws Exception {
    int risPort;
    try (ServerSocket s = new ServerSocket(0)) {
      risPort = s.getLocalPort();
    }
    String orm = String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ORM^O01|RST-1|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||RM1^^^CENTRE_A_MRN^MR||李^雷||19800101|M",
        "ORC|NW|PL-RST1^HIS_A|||||^^^20261207100000^^R|||||D0042^Wang^Li",
        "OBR|1|PL-RST1^HIS_A||30799-1^CT Head WO contrast^LN" + "|".repeat(14) + "RST1");
    try (ConfigurableApplicationContext first = start(risPort)) {
      int mllp = first.getBean(MllpListener.class).port();
      assertThat(TestMllpReceiver.sendRaw(mllp, orm.getBytes(StandardCharsets.UTF_8))).contains("MSA|AA");
      org.radbridge.server.Await.until("an outbound message failed at least once (the RIS is down)", java.time.Duration.ofMillis(30_000), () -> !(count(first, "SELECT count(*) FROM outbox WHERE kind = 'hl7v2-mllp' AND attempts >= 1 AND state = 'pending'") == 0));
      assertThat(count(first, "SELECT count(*) FROM outbox WHERE kind = 'hl7v2-mllp' AND state = 'pending'")).isEqualTo(1);
    }
    try (TestMllpReceiver ris = new TestMllpReceiver(risPort);
        ConfigurableApplicationContext second = start(risPort)) {
      List<String> got = ris.await("|RST1", 1);
      assertThat(got).hasSize(1);
      assertThat(got.get(0)).contains("ORC|NW|PL-RST1^HIS_A").contains("|RIS_CITY|CITY_HOSP|");
      org.radbridge.server.Await.until("the outbound message delivered after the restart", java.time.Duration.ofMillis(10_000), () -> !(count(second, "SELECT count(*) FROM outbox WHERE kind = 'hl7v2-mllp' AND state = 'delivered'") == 0));
      assertThat(count(second, "SELECT count(*) FROM outbox WHERE kind = 'hl7v2-mllp' AND state = 'delivered'")).isEqualTo(1);
      Thread.sleep(500);
      assertThat(ris.containing("|RST1")).as("delivered once").hasSize(1);
    }
  }
}
