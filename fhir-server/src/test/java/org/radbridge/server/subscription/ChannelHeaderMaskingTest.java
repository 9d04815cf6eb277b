package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * Subscription.channel.header values (the receiver's credentials) never leave the server in an
 * answer — in any format, path or bundle — and a client that PUTs back what it read keeps them.
 */
class ChannelHeaderMaskingTest extends ServerTestBase {
  private static final String SECRET = "Bearer s3cret-" + System.nanoTime();

  private String subscribe(HookReceiver hook, String code) {
    return json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"masking","criteria":"Observation?code=urn:test|%s",
         "channel":{"type":"rest-hook","endpoint":"%s","header":["Authorization: %s","X-Api-Key: k-%s"]}}"""
        .formatted(code, hook.url("/m"), SECRET, SECRET)).post("/Subscription").then().statusCode(201)
        .extract().path("id");
  }

  @Test
  void noAnswerShowsAHeaderValue() throws Exception {
    try (HookReceiver hook = new HookReceiver()) {
      // a stored dateTime of minute precision (accepted leniently) in the same answer as the Subscription
      json().body("""
          {"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2024-06-30T23:59-05:00"}""")
          .post("/Observation").then().statusCode(201);
      String id = subscribe(hook, unique("c"));
      List<String> answers = List.of(
          RestAssured.given().accept("application/fhir+json").get("/_history?_type=Subscription,Observation&_count=20")
              .asString(),
          RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id).asString(),
          RestAssured.given().accept("application/fhir+xml").get("/Subscription/" + id).asString(),
          RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id + "/_history/1").asString(),
          RestAssured.given().accept("application/fhir+json").get("/Subscription?_id=" + id).asString(),
          RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id + "/_history").asString(),
          RestAssured.given().accept("application/fhir+json").get("/Subscription?_id=" + id + "&_elements=channel").asString(),
          RestAssured.given().accept("application/fhir+json").get("/_history?_type=Subscription&_count=1000").asString(),
          json().header("Prefer", "return=representation").body("""
              {"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Subscription",
               "status":"requested","reason":"in a bundle","criteria":"Observation?code=urn:test|x",
               "channel":{"type":"rest-hook","endpoint":"%s","header":["Authorization: %s"]}},
               "request":{"method":"POST","url":"Subscription"}}]}""".formatted(hook.url("/m"), SECRET))
              .post("/").asString(),
          json().body("""
              {"resourceType":"Subscription","status":"requested","reason":"created","criteria":"Observation?code=urn:test|y",
               "channel":{"type":"rest-hook","endpoint":"%s","header":["Authorization: %s"]}}""".formatted(hook.url("/m"), SECRET))
              .header("Prefer", "return=representation").post("/Subscription").asString());
      for (String answer : answers) {
        assertThat(answer).doesNotContain("s3cret").contains("Authorization: ******");
      }
      JsonPath read = RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id).jsonPath();
      assertThat(read.getList("channel.header")).containsExactly("Authorization: ******", "X-Api-Key: ******");
    }
  }

  @Test
  void aSubscriptionPutBackAsReadKeepsItsHeadersAndStillSendsThem() throws Exception {
    String code = unique("c");
    try (HookReceiver hook = new HookReceiver()) {
      String id = subscribe(hook, code);
      String read = RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id).asString();
      json().body(read.replace("\"masking\"", "\"masking, renamed\"")).put("/Subscription/" + id).then().statusCode(200);
      JsonPath after = RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id).jsonPath();
      assertThat(after.getString("reason")).isEqualTo("masking, renamed");
      assertThat(after.getList("channel.header")).containsExactly("Authorization: ******", "X-Api-Key: ******");

      json().body("""
          {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]}}"""
          .formatted(code)).post("/Observation").then().statusCode(201);
      List<HookReceiver.Hit> hits = hook.await(1);
      assertThat(hits).isNotEmpty();
      assertThat(hits.get(0).headers().getFirst("Authorization")).isEqualTo(SECRET);
      assertThat(hits.get(0).headers().getFirst("X-Api-Key")).isEqualTo("k-" + SECRET);
    }
  }

  @Test
  void aMaskedHeaderWithNoStoredValueIsRefused() throws Exception {
    try (HookReceiver hook = new HookReceiver()) {
      String id = subscribe(hook, unique("c"));
      String read = RestAssured.given().accept("application/fhir+json").get("/Subscription/" + id).asString();
      json().body(read.replace("X-Api-Key: ******", "X-Other: ******")).put("/Subscription/" + id)
          .then().statusCode(422).body("issue[0].diagnostics", containsString("X-Other"));
      json().body("""
          {"resourceType":"Subscription","status":"requested","reason":"new","criteria":"Observation?code=urn:test|z",
           "channel":{"type":"rest-hook","endpoint":"%s","header":["Authorization: ******"]}}""".formatted(hook.url("/m")))
          .post("/Subscription").then().statusCode(422).body("issue[0].diagnostics", containsString("masked"));
    }
  }
}
