package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.radbridge.server.audit.AuditLog;
import org.springframework.beans.factory.annotation.Autowired;

/** Each subscription notification sent, taken or not, is an Export record of the patient it told about. */
class NotificationAuditTest extends ServerTestBase {
  @Autowired
  AuditLog audit;

  private JsonPath events(String query) {
    audit.drain();
    String auditor = "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID, TestTokens.key(), "radbridge/audit");
    return RestAssured.given().header("Authorization", auditor).accept("application/fhir+json")
        .get("/AuditEvent?" + query).then().statusCode(200).extract().jsonPath();
  }

  @Test
  void aNotificationRefusedAndThenTakenIsRecordedTwiceWithTheSubscriptionAndThePatient() throws Exception {
    String code = unique("audit");
    try (HookReceiver hook = new HookReceiver()) {
      hook.failNext.set(1); // the first attempt: HTTP 500
      String subscription = json().body("""
          {"resourceType":"Subscription","status":"requested","reason":"test","criteria":"Observation?code=urn:test|%s",
           "channel":{"type":"rest-hook","endpoint":"%s"}}""".formatted(code, hook.url("/n"))).post("/Subscription")
          .then().statusCode(201).body("status", equalTo("active")).extract().path("id");
      String patient = json().body("{\"resourceType\":\"Patient\"}").post("/Patient").then().statusCode(201)
          .extract().path("id");
      Await.until("the subscription is active in the matcher", Duration.ofSeconds(10), () -> {
        json().body("""
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]},
             "subject":{"reference":"Patient/%s"}}""".formatted(code, patient)).post("/Observation").then().statusCode(201);
        return !events("entity=Subscription/" + subscription).getList("entry").isEmpty();
      });
      hook.await(1);
      Await.until("the accepted notification recorded", Duration.ofSeconds(20),
          () -> events("entity=Subscription/" + subscription + "&outcome=0").getList("entry").size() >= 1);
      JsonPath trail = events("patient=Patient/" + patient + "&subtype=subscription-notification");
      assertThat(trail.getList("entry.resource.outcome", String.class)).contains("8", "0");
      assertThat(trail.getList("entry.resource.type.code", String.class)).containsOnly("110106");
      assertThat(trail.getList("entry.resource.collect { it.agent[0].who.identifier.value }", String.class)).containsOnly(hook.url("/n"));
      assertThat(trail.getList("entry.resource.collect { it.agent[0].network.address }", String.class)).containsOnly("127.0.0.1");
      assertThat(String.valueOf((Object) trail.get("entry.resource.entity.what.reference")))
          .contains("Subscription/" + subscription).contains("Observation/");
      assertThat(trail.getList("entry.resource.findAll { it.outcome == '8' }.outcomeDesc", String.class))
          .allMatch(d -> d.contains("HTTP 500"));
    }
  }
}
