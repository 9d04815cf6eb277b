package org.radbridge.server.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestServers;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A node starting: from its first HTTP answer on, an order claiming the network's profile and
 * lacking a required element (subject) is refused (4xx) or told to retry (503 with Retry-After) —
 * never stored — until the readiness probe is UP; then it is refused by validation (422) and a
 * good order is created.
 */
class StartupReadinessTest extends ServerTestBase {
  @Autowired
  DataSource dataSource;

  @Test
  void fromItsFirstAnswerOnAnInvalidOrderIsRefusedOrToldToRetryNeverStored() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String badAccession = unique("BAD");
    String bad = order(badAccession).replace("\"subject\": {\n    \"reference\": \"Patient/rb-example-patient\"\n  },", "");
    assertThat(bad).doesNotContain("\"subject\"");
    AtomicInteger toldToRetry = new AtomicInteger();
    String base = "http://127.0.0.1:" + port;

    CompletableFuture<ConfigurableApplicationContext> node = CompletableFuture.supplyAsync(() -> TestServers
        .sharing(dataSource).withTestNetwork().httpPort(port)
        .with("radbridge.data-dir", tempDir()).startUnready());
    try {
      Await.until("the starting node's readiness probe UP", Duration.ofSeconds(180), () -> {
        if (node.isCompletedExceptionally()) {
          node.join(); // the start failed: say why
        }
        Response r;
        try {
          r = json().baseUri(base).body(bad).post("/ServiceRequest");
        } catch (Exception notListeningYet) { // connection refused: not listening yet
          return false;
        }
        assertThat(r.statusCode()).as(r.asString()).isBetween(400, 599).isNotEqualTo(500);
        assertThat(r.jsonPath().getString("resourceType")).isEqualTo("OperationOutcome");
        if (r.statusCode() == 503) {
          assertThat(r.header("Retry-After")).isEqualTo("5");
          assertThat(r.jsonPath().getString("issue[0].code")).isEqualTo("transient");
          toldToRetry.incrementAndGet();
        }
        return RestAssured.given().baseUri(base).basePath("").get("/actuator/health/readiness").statusCode() == 200;
      });
      assertThat(toldToRetry.get()).as("the node was seen starting, not only ready").isPositive();

      RestAssured.given().baseUri(base).basePath("").get("/actuator/health/readiness").then().statusCode(200)
          .body("status", equalTo("UP"));
      json().baseUri(base).body(bad).post("/ServiceRequest").then().statusCode(422)
          .body("issue.diagnostics.flatten()", org.hamcrest.Matchers.hasItem(
              org.hamcrest.Matchers.containsString("ServiceRequest.subject: minimum required = 1")));
      String good = unique("GOOD");
      json().baseUri(base).body(order(good)).post("/ServiceRequest").then().statusCode(201);
      assertThat(ordersWithAccession(good)).isEqualTo(1);
      assertThat(ordersWithAccession(badAccession)).as("the invalid order was never stored").isZero();
    } finally {
      node.join().close();
    }
  }

  private static String order(String accession) {
    return example("ServiceRequest-rb-example-order").replace("\"id\": \"rb-example-order\",", "")
        .replace("A2026-000451", accession);
  }

  private long ordersWithAccession(String accession) {
    return count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'ServiceRequest'"
        + " AND t.param = 'identifier' AND t.code = ?", accession);
  }

  private static String tempDir() {
    try {
      return Files.createTempDirectory("radbridge-starting-").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
