package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.zaxxer.hikari.HikariDataSource;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Past the retry horizon a subscription goes to error and keeps its events; two nodes deliver each event once. */
class SubscriptionReliabilityTest extends ServerTestBase {
  @Autowired
  RadBridgeProperties props;
  @Autowired
  DataSource dataSource;

  private String subscribe(String code, String endpoint) {
    return json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x","criteria":"Observation?code=urn:test|%s",
         "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}"""
        .formatted(code, endpoint)).post("/Subscription").then().statusCode(201).extract().path("id");
  }

  private static String observation(int port, String code, String value) {
    return RestAssured.given().port(port).basePath("/fhir").contentType("application/fhir+json").body("""
        {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]},
         "valueString":"%s"}""".formatted(code, value)).post("/Observation").then().statusCode(201).extract().path("id");
  }

  @Test
  void pastTheHorizonTheSubscriptionIsInErrorAndItsEventIsKeptForReplay() throws Exception {
    String code = unique("h");
    try (HookReceiver hook = new HookReceiver()) {
      hook.failNext.set(Integer.MAX_VALUE);
      String sub = subscribe(code, hook.url("/fhir"));
      String obs = observation(port, code, "lost?");
      // the event was written longer ago than the horizon (24 h): its next failure dead-letters it
      jdbc.update("UPDATE outbox SET created_at = now() - ? * interval '1 second' WHERE kind = 'subscription'"
          + " AND payload LIKE ?", props.getOutbox().getHorizon().toSeconds() + 60, "%\"" + obs + "\"%");
      org.radbridge.server.Await.until("the subscription in error", java.time.Duration.ofMillis(20_000), () -> "error".equals(json().get("/Subscription/" + sub).jsonPath().getString("status")));
      json().get("/Subscription/" + sub).then().body("status", equalTo("error"))
          .body("error", containsString("HTTP 500"));
      long row = count("SELECT outbox_id FROM outbox WHERE kind = 'subscription' AND state = 'dead' AND payload LIKE ?",
          "%\"" + obs + "\"%");
      assertThat(row).isPositive();

      // the receiver is back; the client asks for the subscription again and replays the kept event
      hook.failNext.set(0);
      JsonPath s = json().get("/Subscription/" + sub).jsonPath();
      json().body("""
          {"resourceType":"Subscription","id":"%s","status":"requested","reason":"x","criteria":"%s",
           "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}"""
          .formatted(sub, s.getString("criteria"), hook.url("/fhir"))).put("/Subscription/" + sub).then()
          .statusCode(200).body("status", equalTo("active"));
      RestAssured.given().basePath("").post("/admin/outbox/" + row + "/replay").then().statusCode(200);
      List<HookReceiver.Hit> hits = hook.await(1);
      assertThat(hits).hasSize(1);
      assertThat(hits.get(0).path()).isEqualTo("/fhir/Observation/" + obs);
    }
  }

  @Test
  void twoNodesOnOneDatabaseDeliverEachEventOnceInOrder() throws Exception {
    HikariDataSource ds = (HikariDataSource) dataSource;
    String code = unique("n");
    try (HookReceiver hook = new HookReceiver();
        ConfigurableApplicationContext node2 = org.radbridge.server.TestServers.sharing(ds)
            .with("radbridge.outbox.poll-interval", "20ms").with("radbridge.subscriptions.poll-interval", 100)
            .with("radbridge.subscriptions.allowed-endpoints[0]", "http://127.0.0.1:").start()) {
      int port2 = ((WebServerApplicationContext) node2).getWebServer().getPort();
      String sub = subscribe(code, hook.url("/fhir"));
      Thread.sleep(600); // node 2 notices the new subscription by its poll
      List<String> written = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        written.add(observation(i % 2 == 0 ? port : port2, code, "n" + i));
      }
      hook.await(20);
      Thread.sleep(500);
      List<String> got = hook.hits.stream().map(h -> h.path().substring(h.path().lastIndexOf('/') + 1)).toList();
      assertThat(got).doesNotHaveDuplicates().containsExactlyElementsOf(written);
      assertThat(count("SELECT events_since_start FROM subscription_state WHERE subscription_id = ?", sub)).isEqualTo(20);
    }
  }
}
