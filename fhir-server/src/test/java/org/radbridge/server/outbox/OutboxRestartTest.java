package org.radbridge.server.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Rows pending when the server stops are delivered after it starts again, in order. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "restarts the embedded database in its own data directory")
class OutboxRestartTest {
  @TempDir
  Path dataDir;

  private ConfigurableApplicationContext start() {
    return org.radbridge.server.TestServers.onDataDir(dataDir).with("radbridge.outbox.initial-backoff", "50ms")
        .with("radbridge.outbox.max-backoff", "200ms").with("radbridge.outbox.poll-interval", "50ms").start();
  }

  @Test
  void pendingRowsSurviveARestart() throws Exception {
    try (TestReceiver receiver = new TestReceiver()) {
      receiver.failuresLeft.set(-1);
      try (ConfigurableApplicationContext first = start()) {
        TransactionTemplate tx = first.getBean(TransactionTemplate.class);
        Outbox outbox = first.getBean(Outbox.class);
        tx.executeWithoutResult(s -> {
          for (int i = 0; i < 5; i++) {
            outbox.enqueue(HttpPostDelivery.KIND, receiver.url("/r"), "study-1", "m" + i, "text/plain");
          }
        });
        org.radbridge.server.Await.until("two delivery attempts", java.time.Duration.ofMillis(10_000), () -> !(receiver.requests.get() < 2));
        assertThat(receiver.received()).isEmpty();
      }
      receiver.failuresLeft.set(0);
      try (ConfigurableApplicationContext second = start()) {
        org.radbridge.server.Await.until("five messages received", java.time.Duration.ofMillis(20_000), () -> !(receiver.received().size() < 5));
        assertThat(receiver.received()).containsExactly("m0", "m1", "m2", "m3", "m4");
        JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
        // the receiver has them; the worker's commit of "delivered" follows a moment later
        org.radbridge.server.Await.until("five rows marked delivered", java.time.Duration.ofSeconds(20),
            () -> jdbc.queryForObject("SELECT count(*) FROM outbox WHERE state = 'delivered'", Long.class) >= 5);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM outbox WHERE state = 'delivered'", Long.class)).isEqualTo(5);
      }
    }
  }
}
