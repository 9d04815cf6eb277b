package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/** R4 Subscriptions and the R4 topic-based backport, with real HTTP receivers and a real websocket client. */
class SubscriptionTest extends ServerTestBase {
  private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";

  private String subscribe(String criteria, String channel) {
    return json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"test","criteria":"%s","channel":%s}"""
        .formatted(criteria, channel)).post("/Subscription").then().statusCode(201)
        .body("status", equalTo("active")).extract().path("id");
  }

  private String observation(String code, String value) {
    return json().body("""
        {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]},
         "valueString":"%s"}""".formatted(code, value)).post("/Observation").then().statusCode(201).extract().path("id");
  }

  private static void awaitActive() throws InterruptedException {
    Thread.sleep(50); // the cache reloads after the Subscription's commit, before the next write in practice
  }

  @Test
  void aRestHookWithoutPayloadGetsAnEmptyPostWithItsHeadersForEachMatchingWrite() throws Exception {
    String code = unique("c");
    try (HookReceiver hook = new HookReceiver()) {
      subscribe("Observation?code=urn:test|" + code, """
          {"type":"rest-hook","endpoint":"%s","header":["Authorization: Bearer hook-secret"]}""".formatted(hook.url("/n")));
      awaitActive();
      observation(code, "first");
      observation(unique("other"), "not matching");
      String second = observation(code, "second");
      json().body("""
          {"resourceType":"Observation","id":"%s","status":"amended","code":{"coding":[{"system":"urn:test","code":"%s"}]},
           "valueString":"second, amended"}""".formatted(second, code)).put("/Observation/" + second).then().statusCode(200);
      List<HookReceiver.Hit> hits = hook.await(3);
      Thread.sleep(300);
      assertThat(hook.hits).hasSize(3); // the non-matching write sent nothing
      for (HookReceiver.Hit h : hits) {
        assertThat(h.method()).isEqualTo("POST");
        assertThat(h.path()).isEqualTo("/n");
        assertThat(h.body()).isEmpty();
        assertThat(h.headers().get("Authorization")).containsExactly("Bearer hook-secret");
      }
    }
  }

  @Test
  void criteriaTheIndexRowsCannotDecideAreAskedOfTheDatabase() throws Exception {
    String family = "Zz" + Long.toString(System.nanoTime(), 36);
    try (HookReceiver hook = new HookReceiver()) {
      // a string parameter (prefix, normalised): the database decides
      subscribe("Patient?name=" + family, """
          {"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}""".formatted(hook.url("/fhir")));
      awaitActive();
      String match = json().body("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "son\"}]}")
          .post("/Patient").then().statusCode(201).extract().path("id");
      json().body("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Other" + family + "\"}]}")
          .post("/Patient").then().statusCode(201);
      hook.await(1);
      Thread.sleep(300);
      assertThat(hook.hits).extracting(HookReceiver.Hit::path).containsExactly("/fhir/Patient/" + match);
    }
  }

  @Test
  void aPayloadMimeTypePutsEachVersionOfTheResourceToEndpointTypeId() throws Exception {
    String code = unique("c");
    try (HookReceiver hook = new HookReceiver()) {
      subscribe("Observation?code=urn:test|" + code, """
          {"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}""".formatted(hook.url("/fhir")));
      awaitActive();
      String id = observation(code, "v1");
      json().body("""
          {"resourceType":"Observation","id":"%s","status":"amended","code":{"coding":[{"system":"urn:test","code":"%s"}]},
           "valueString":"v2"}""".formatted(id, code)).put("/Observation/" + id).then().statusCode(200);
      List<HookReceiver.Hit> hits = hook.await(2);
      assertThat(hits).hasSize(2);
      assertThat(hits).extracting(HookReceiver.Hit::method).containsOnly("PUT");
      assertThat(hits).extracting(HookReceiver.Hit::path).containsOnly("/fhir/Observation/" + id);
      assertThat(hits.get(0).headers().getFirst("Content-Type")).startsWith("application/fhir+json");
      JsonPath v1 = new JsonPath(hits.get(0).body());
      JsonPath v2 = new JsonPath(hits.get(1).body());
      assertThat(v1.getString("valueString")).isEqualTo("v1");
      assertThat(v1.getString("meta.versionId")).isEqualTo("1");
      assertThat(v2.getString("valueString")).isEqualTo("v2");
      assertThat(v2.getString("meta.versionId")).isEqualTo("2");
    }
  }

  @Test
  void subscriptionsTheServerCannotServeAreRefusedNamingWhy() {
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x","criteria":"Observation?code=a",
         "channel":{"type":"rest-hook","endpoint":"https://elsewhere.example.org/hook"}}""").post("/Subscription")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("allowed-endpoints"))
        .body("issue[0].diagnostics", containsString("https://elsewhere.example.org/hook"));
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x","criteria":"Observation?colour=red",
         "channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9/h"}}""").post("/Subscription")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("'colour' is not a search parameter of Observation"));
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x","criteria":"Observation?code=a",
         "channel":{"type":"email","endpoint":"mailto:a@example.org"}}""").post("/Subscription")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("email is not supported"));
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x",
         "criteria":"https://radbridge.org/fhir/SubscriptionTopic/no-such-topic",
         "channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9/h"}}""").post("/Subscription")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("does not have"));
  }

  private String topicSubscription(String topic, String filter, String content, String endpoint) {
    return json().body("""
        {"resourceType":"Subscription","meta":{"profile":["%sbackport-subscription"]},"status":"requested","reason":"x",
         "criteria":"https://radbridge.org/fhir/SubscriptionTopic/%s",
         "_criteria":{"extension":[{"url":"%sbackport-filter-criteria","valueString":"%s"}]},
         "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json",
           "_payload":{"extension":[{"url":"%sbackport-payload-content","valueCode":"%s"}]}}}"""
        .formatted(BACKPORT, topic, BACKPORT, filter, endpoint, BACKPORT, content))
        .post("/Subscription").then().statusCode(201).body("status", equalTo("active")).extract().path("id");
  }

  private String report(String patient, String status) {
    return json().body("""
        {"resourceType":"DiagnosticReport","status":"%s","code":{"text":"CT head"},"subject":{"reference":"%s"}}"""
        .formatted(status, patient)).post("/DiagnosticReport").then().statusCode(201).extract().path("id");
  }

  @Test
  void theReportFinalTopicSendsBackportNotificationsWithEventNumbers() throws Exception {
    String patient = json().body("{\"resourceType\":\"Patient\"}").post("/Patient").then().statusCode(201)
        .extract().header("Location").replaceAll(".*/fhir/", "").replaceAll("/_history/.*", "");
    try (HookReceiver idOnly = new HookReceiver(); HookReceiver full = new HookReceiver(); HookReceiver empty = new HookReceiver()) {
      String filter = "DiagnosticReport?subject=" + patient;
      String subId = topicSubscription("report-final", filter, "id-only", idOnly.url("/hook"));
      topicSubscription("report-final", filter, "full-resource", full.url("/hook"));
      topicSubscription("report-final", filter, "empty", empty.url("/hook"));
      // the handshake comes first
      JsonPath handshake = new JsonPath(idOnly.await(1).get(0).body());
      assertThat(handshake.getString("type")).isEqualTo("history");
      assertThat(handshake.getString("entry[0].resource.parameter.find { it.name == 'type' }.valueCode")).isEqualTo("handshake");
      awaitActive();

      String prelim = report(patient, "preliminary"); // not final: no event
      String other = report(json().body("{\"resourceType\":\"Patient\"}").post("/Patient").then().extract()
          .header("Location").replaceAll(".*/fhir/", "").replaceAll("/_history/.*", ""), "final"); // another patient
      json().body("""
          {"resourceType":"DiagnosticReport","id":"%s","status":"final","code":{"text":"CT head"},
           "subject":{"reference":"%s"},"conclusion":"No bleed."}""".formatted(prelim, patient))
          .put("/DiagnosticReport/" + prelim).then().statusCode(200);
      String second = report(patient, "final");

      List<HookReceiver.Hit> hits = idOnly.await(3);
      Thread.sleep(300);
      assertThat(idOnly.hits).hasSize(3); // handshake + two events; the preliminary and the other patient's report sent nothing
      JsonPath n1 = new JsonPath(hits.get(1).body());
      assertThat(n1.getString("type")).isEqualTo("history");
      assertThat(n1.getList("meta.profile")).contains(BACKPORT + "backport-subscription-notification-r4");
      String status = "entry[0].resource.parameter.find { it.name == '%s' }";
      assertThat(n1.getString("entry[0].resource.resourceType")).isEqualTo("Parameters");
      assertThat(n1.getString(status.formatted("subscription") + ".valueReference.reference")).endsWith("Subscription/" + subId);
      assertThat(n1.getString(status.formatted("topic") + ".valueCanonical"))
          .isEqualTo("https://radbridge.org/fhir/SubscriptionTopic/report-final");
      assertThat(n1.getString(status.formatted("status") + ".valueCode")).isEqualTo("active");
      assertThat(n1.getString(status.formatted("type") + ".valueCode")).isEqualTo("event-notification");
      assertThat(n1.getString(status.formatted("events-since-subscription-start") + ".valueString")).isEqualTo("1");
      String event = status.formatted("notification-event") + ".part.find { it.name == '%s' }";
      assertThat(n1.getString(event.formatted("event-number") + ".valueString")).isEqualTo("1");
      assertThat(n1.getString(event.formatted("focus") + ".valueReference.reference")).endsWith("DiagnosticReport/" + prelim);
      assertThat(n1.getString("entry[1].fullUrl")).endsWith("DiagnosticReport/" + prelim);
      assertThat(n1.getString("entry[1].resource")).isNull(); // id-only
      assertThat(n1.getString("entry[1].request.method")).isEqualTo("PUT");
      JsonPath n2 = new JsonPath(hits.get(2).body());
      assertThat(n2.getString(event.formatted("event-number") + ".valueString")).isEqualTo("2");
      assertThat(n2.getString(event.formatted("focus") + ".valueReference.reference")).endsWith("DiagnosticReport/" + second);
      assertThat(n2.getString("entry[1].request.method")).isEqualTo("POST");

      JsonPath f = new JsonPath(full.await(3).get(1).body());
      assertThat(f.getString("entry[1].resource.resourceType")).isEqualTo("DiagnosticReport");
      assertThat(f.getString("entry[1].resource.conclusion")).isEqualTo("No bleed.");
      JsonPath e = new JsonPath(empty.await(3).get(1).body());
      assertThat(e.getList("entry")).hasSize(1); // only the status
      assertThat(e.getString(event.formatted("focus"))).isNull();
      assertThat(e.getString(event.formatted("event-number") + ".valueString")).isEqualTo("1");

      // $status: how many events so far, so a receiver can spot a gap
      json().get("/Subscription/" + subId + "/$status").then().statusCode(200).body("type", equalTo("searchset"))
          .body("entry[0].resource.parameter.find { it.name == 'type' }.valueCode", equalTo("query-status"))
          .body("entry[0].resource.parameter.find { it.name == 'events-since-subscription-start' }.valueString",
              equalTo("2"));
      assertThat(other).isNotBlank();
    }
  }

  @Test
  void aWebsocketClientBoundToItsSubscriptionIsPinged() throws Exception {
    String code = unique("c");
    String id = subscribe("Observation?code=urn:test|" + code, "{\"type\":\"websocket\"}");
    LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", org.radbridge.server.TestTokens.authorization(port))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/websocket"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            got.add(data.toString());
            socket.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    try {
      ws.sendText("bind " + id, true).get(5, TimeUnit.SECONDS);
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("bound " + id);
      observation(code, "ws");
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("ping " + id);
      ws.sendText("bind no-such-subscription", true).get(5, TimeUnit.SECONDS);
      assertThat(got.poll(10, TimeUnit.SECONDS)).startsWith("error no-such-subscription");
    } finally {
      ws.abort();
    }
  }

  @Test
  void aReceiverThatFailsFiveTimesGetsEveryNotificationInOrder() throws Exception {
    String code = unique("c");
    try (HookReceiver hook = new HookReceiver()) {
      hook.failNext.set(5);
      subscribe("Observation?code=urn:test|" + code, """
          {"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}""".formatted(hook.url("/fhir")));
      awaitActive();
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(observation(code, "n" + i));
      }
      List<HookReceiver.Hit> hits = hook.await(4);
      Thread.sleep(300);
      assertThat(hook.hits).hasSize(4);
      assertThat(hits).extracting(h -> h.path().substring(h.path().lastIndexOf('/') + 1)).containsExactlyElementsOf(ids);
      assertThat(hook.failNext.get()).isZero();
    }
  }
}
