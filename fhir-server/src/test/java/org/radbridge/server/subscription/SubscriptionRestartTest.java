package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Notifications pending while the receiver is down are delivered, in order, after RadBridge restarts. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "restarts the embedded database in its own data directory")
class SubscriptionRestartTest {
  @TempDir
  Path dir;

  private ConfigurableApplicationContext start() {
    return org.radbridge.server.TestServers.onDataDir(dir.resolve("data")).args(
        "--radbridge.validation.mode=off", "--radbridge.outbox.initial-backoff=100ms",
        "--radbridge.outbox.max-backoff=300ms", "--radbridge.outbox.poll-interval=50ms",
        "--radbridge.subscriptions.allowed-endpoints[0]=http://127.0.0.1:").start();
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  @Test
  void eventsPendingAtShutdownAreDeliveredAfterTheRestart() throws Exception {
    int hookPort;
    try (ServerSocket s = new ServerSocket(0)) {
      hookPort = s.getLocalPort();
    }
    List<String> written = new ArrayList<>();
    try (ConfigurableApplicationContext first = start()) {
      RestAssured.given().port(port(first)).basePath("/fhir").contentType("application/fhir+json").body("""
          {"resourceType":"Subscription","status":"requested","reason":"x","criteria":"Observation?code=urn:test|rst",
           "channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:%d/fhir","payload":"application/fhir+json"}}"""
          .formatted(hookPort)).post("/Subscription").then().statusCode(201);
      Thread.sleep(100);
      for (int i = 0; i < 3; i++) {
        written.add(RestAssured.given().port(port(first)).basePath("/fhir").contentType("application/fhir+json").body("""
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"rst"}]}}""")
            .post("/Observation").then().statusCode(201).extract().path("id"));
      }
      JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
      org.radbridge.server.Await.until("the notification delivered after the restart", java.time.Duration.ofMillis(10_000), () -> !(jdbc.queryForObject("SELECT count(*) FROM outbox WHERE kind = 'subscription' AND attempts >= 1", Long.class) == 0));
      assertThat(jdbc.queryForObject("SELECT count(*) FROM outbox WHERE kind = 'subscription' AND state = 'pending'",
          Long.class)).isEqualTo(3);
    }
    try (HookReceiver hook = new HookReceiver(hookPort); ConfigurableApplicationContext second = start()) {
      hook.await(3);
      Thread.sleep(300);
      assertThat(hook.hits).extracting(h -> h.path().substring(h.path().lastIndexOf('/') + 1))
          .containsExactlyElementsOf(written);
    }
  }
}
