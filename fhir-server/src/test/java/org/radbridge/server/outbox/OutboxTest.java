package org.radbridge.server.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.zaxxer.hikari.HikariDataSource;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

/** The transactional outbox: in order per key, at least once, retried, dead-lettered, replayed, shared by nodes. */
class OutboxTest extends ServerTestBase {
  @Autowired
  Outbox outbox;
  @Autowired
  TransactionTemplate tx;
  @Autowired
  RadBridgeProperties props;
  @Autowired
  DataSource dataSource;

  private void enqueue(String url, String key, List<String> payloads) {
    tx.executeWithoutResult(s -> payloads.forEach(p -> outbox.enqueue(HttpPostDelivery.KIND, url, key, p, "text/plain")));
  }

  private static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static List<String> messages(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }

  @Test
  void aReceiverThatFailsFiveTimesThenRecoversGetsEverythingInOrderOnce() throws Exception {
    try (TestReceiver receiver = new TestReceiver()) {
      receiver.failuresLeft.set(5);
      String key = unique("order");
      List<String> sent = messages(key, 20);
      enqueue(receiver.url("/hook"), key, sent);
      await("20 deliveries", () -> receiver.received().size() >= 20, Duration.ofSeconds(30));
      Thread.sleep(200); // nothing more may arrive
      assertThat(receiver.received()).containsExactlyElementsOf(sent);
      assertThat(receiver.requests.get()).isEqualTo(25);
      assertThat(count("SELECT count(*) FROM outbox WHERE ordering_key = ? AND state = 'delivered'", key)).isEqualTo(20);
      assertThat(count("SELECT max(attempts) FROM outbox WHERE ordering_key = ?", key)).isEqualTo(6);
    }
  }

  @Test
  void aRolledBackChangeSendsNothing() throws Exception {
    try (TestReceiver receiver = new TestReceiver()) {
      String key = unique("rollback");
      tx.executeWithoutResult(s -> {
        outbox.enqueue(HttpPostDelivery.KIND, receiver.url("/x"), key, "never", "text/plain");
        s.setRollbackOnly();
      });
      Thread.sleep(300);
      assertThat(receiver.requests.get()).isZero();
      assertThat(count("SELECT count(*) FROM outbox WHERE ordering_key = ?", key)).isZero();
    }
  }

  @Test
  void pastTheHorizonARowIsDeadAndCanBeReplayedOrDiscarded() throws Exception {
    try (TestReceiver receiver = new TestReceiver()) {
      receiver.failuresLeft.set(-1);
      String url = receiver.url("/" + unique("dead"));
      String key = unique("dead");
      enqueue(url, key, List.of("first", "second"));
      // the head row was written longer ago than the horizon (24 h): its next failure dead-letters it
      jdbc.update("UPDATE outbox SET created_at = now() - ? * interval '1 second' WHERE outbox_id ="
          + " (SELECT min(outbox_id) FROM outbox WHERE ordering_key = ?)", props.getOutbox().getHorizon().toSeconds() + 60, key);
      await("the head row to be dead", () -> count("SELECT count(*) FROM outbox WHERE ordering_key = ? AND state = 'dead'",
          key) >= 1, Duration.ofSeconds(20));
      long id = count("SELECT min(outbox_id) FROM outbox WHERE ordering_key = ?", key);

      RestAssured.given().basePath("").queryParam("state", "dead").queryParam("destination", url)
          .get("/admin/outbox").then().statusCode(200)
          .body("[0].id", equalTo((int) id)).body("[0].lastError", containsString("HTTP 500"));
      RestAssured.given().basePath("").get("/admin/outbox/summary").then().statusCode(200)
          .body("find { it.destination == '" + url + "' }.dead", equalTo(1));

      receiver.failuresLeft.set(0);
      await("the row behind the dead one", () -> receiver.received().contains("second"), Duration.ofSeconds(10));
      RestAssured.given().basePath("").post("/admin/outbox/" + id + "/replay").then().statusCode(200)
          .body("replayed", equalTo(1));
      await("the replayed row", () -> receiver.received().contains("first"), Duration.ofSeconds(10));
      await("both rows marked delivered", () -> count("SELECT count(*) FROM outbox WHERE ordering_key = ?"
          + " AND state = 'delivered'", key) == 2, Duration.ofSeconds(10));

      RestAssured.given().basePath("").post("/admin/outbox/" + id + "/discard").then().statusCode(409)
          .body("error", containsString("is delivered"));
      RestAssured.given().basePath("").post("/admin/outbox/999999999/replay").then().statusCode(404);
      RestAssured.given().basePath("").queryParam("state", "lost").get("/admin/outbox").then().statusCode(400);
    }
  }

  @Test
  void twoNodesOnOneDatabaseDeliverEachRowOnceInOrderPerKey() throws Exception {
    HikariDataSource ds = (HikariDataSource) dataSource;
    try (TestReceiver receiver = new TestReceiver();
         ConfigurableApplicationContext node2 = org.radbridge.server.TestServers.sharing(ds)
             .with("radbridge.outbox.poll-interval", "20ms").start()) {
      String run = unique("two-nodes");
      Map<String, List<String>> byKey = new HashMap<>();
      for (int k = 0; k < 30; k++) {
        byKey.put(run + "-k" + k, messages(run + "-k" + k, 10));
      }
      // rows written from both nodes, interleaved
      TransactionTemplate tx2 = node2.getBean(TransactionTemplate.class);
      Outbox outbox2 = node2.getBean(Outbox.class);
      for (int i = 0; i < 10; i++) {
        int round = i;
        for (Map.Entry<String, List<String>> e : byKey.entrySet()) {
          String payload = e.getValue().get(round);
          if ((round + e.getKey().hashCode()) % 2 == 0) {
            tx.executeWithoutResult(s -> outbox.enqueue(HttpPostDelivery.KIND, receiver.url("/n"), e.getKey(), payload, "text/plain"));
          } else {
            tx2.executeWithoutResult(s -> outbox2.enqueue(HttpPostDelivery.KIND, receiver.url("/n"), e.getKey(), payload, "text/plain"));
          }
        }
      }
      await("300 deliveries", () -> receiver.received().size() >= 300, Duration.ofSeconds(60));
      Thread.sleep(300);
      List<String> got = receiver.received();
      assertThat(got).hasSize(300).doesNotHaveDuplicates();
      for (Map.Entry<String, List<String>> e : byKey.entrySet()) {
        assertThat(got.stream().filter(m -> m.startsWith(e.getKey() + "-")).toList())
            .as("order of " + e.getKey()).containsExactlyElementsOf(e.getValue());
      }
    }
  }
}
