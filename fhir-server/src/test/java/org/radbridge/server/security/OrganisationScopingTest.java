package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * Each organisation reads what belongs to it, as a predicate of the read SQL: centre A's patient,
 * order and report are visible to centre A and to the hospital the order is routed to, never to
 * centre B or the other hospital; the exchange and the administrator read everything; a re-routed
 * order takes its patient and report along to the new hospital.
 */
class OrganisationScopingTest extends ServerTestBase {
  private String pa;
  private String pb;
  private String sa;
  private String sb;
  private String ra;
  private String ob;

  private String create(String json) {
    return json().body(json).post("/" + json.substring(json.indexOf(":\"") + 2, json.indexOf("\",")))
        .then().statusCode(201).extract().path("id");
  }

  @BeforeEach
  void twoCentresTwoOrders() {
    pa = create("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}]}"""
        .formatted(unique("a")));
    pb = create("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-b/mrn","value":"%s"}]}"""
        .formatted(unique("b")));
    sa = create(order(pa, "centre-a", "city-hospital"));
    sb = create(order(pb, "centre-b", "north-hospital"));
    ra = create("""
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT chest"},"subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(pa, sa));
    ob = create("""
        {"resourceType":"Observation","status":"final","code":{"text":"finding"},"subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(pb, sb));
  }

  private static String order(String patient, String requester, String performer) {
    return """
        {"resourceType":"ServiceRequest","status":"active","intent":"order","code":{"text":"consultation"},
         "subject":{"reference":"Patient/%s"},"requester":{"reference":"Organization/org-%s"},
         "performer":[{"reference":"Organization/org-%s"}]}""".formatted(patient, requester, performer);
  }

  private int read(String org, String ref) {
    return RestAssured.given().header("Authorization", TestTokens.orgReader(port, org)).accept("application/fhir+json")
        .get("/" + ref).statusCode();
  }

  private List<String> ids(String org, String query) {
    JsonPath p = RestAssured.given().header("Authorization", TestTokens.orgReader(port, org))
        .accept("application/fhir+json").get(query).then().statusCode(200).extract().jsonPath();
    List<String> ids = p.getList("entry.resource.id");
    return ids == null ? List.of() : ids;
  }

  @Test
  void readsAndSearchesSeeOnlyTheOrganisationsOwn() {
    for (String ref : List.of("Patient/" + pa, "ServiceRequest/" + sa, "DiagnosticReport/" + ra)) {
      assertThat(read("centre-a", ref)).as("centre A reads %s", ref).isEqualTo(200);
      assertThat(read("city-hospital", ref)).as("City Hospital (routed) reads %s", ref).isEqualTo(200);
      assertThat(read("centre-b", ref)).as("centre B reads %s", ref).isEqualTo(404);
      assertThat(read("north-hospital", ref)).as("North Hospital reads %s", ref).isEqualTo(404);
      assertThat(read("regional-exchange", ref)).as("the exchange reads %s", ref).isEqualTo(200);
    }
    assertThat(read("centre-a", "Observation/" + ob)).isEqualTo(404);
    assertThat(read("north-hospital", "Observation/" + ob)).isEqualTo(200);
    // the same with a version, and through HAPI rather than the stored-JSON read
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-b")).accept("application/fhir+xml")
        .get("/Patient/" + pa).then().statusCode(404);
    assertThat(read("centre-b", "Patient/" + pa + "/_history/1")).isEqualTo(404);

    assertThat(ids("centre-a", "/Patient?_id=" + pa + "," + pb)).containsExactly(pa);
    assertThat(ids("centre-b", "/Patient?_id=" + pa + "," + pb)).containsExactly(pb);
    assertThat(ids("regional-exchange", "/Patient?_id=" + pa + "," + pb)).containsExactlyInAnyOrder(pa, pb);
    assertThat(ids("centre-a", "/ServiceRequest?subject=Patient/" + pb)).isEmpty();
    assertThat(ids("centre-a", "/?_type=Patient,ServiceRequest&_id=" + pa + "," + pb + "," + sa + "," + sb))
        .containsExactlyInAnyOrder(pa, sa);
  }

  @Test
  void includesHistoryAndEverythingHoldToTheSamePredicate() {
    assertThat(ids("centre-a", "/Patient?_id=" + pa + "," + pb + "&_revinclude=ServiceRequest:subject&_revinclude=Observation:subject"))
        .containsExactlyInAnyOrder(pa, sa);
    assertThat(ids("centre-b", "/Observation?_id=" + ob + "&_include=Observation:subject&_include=Observation:based-on"))
        .containsExactlyInAnyOrder(ob, pb, sb);
    // a report of centre A's order that names centre B's patient: centre B sees neither the report nor, through it, anything
    List<String> history = ids("centre-b", "/Patient/_history?_count=500");
    assertThat(history).contains(pb).doesNotContain(pa);
    assertThat(ids("centre-b", "/_history?_count=500")).doesNotContain(pa, sa, ra);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-b")).get("/Patient/" + pa + "/$everything")
        .then().statusCode(404);
    assertThat(ids("centre-a", "/Patient/" + pa + "/$everything")).contains(pa, sa, ra).doesNotContain(pb, sb, ob);
  }

  @Test
  void chainsAndHasDoNotMatchThroughWhatTheReaderMayNotSee() {
    String mrnB = RestAssured.given().get("/Patient/" + pb).then().extract().path("identifier[0].value");
    // an observation of centre A's order that names centre B's patient: centre A sees the observation,
    // not the patient, so a chain on the patient's identifier must not confirm it
    String stray = create("""
        {"resourceType":"Observation","status":"final","code":{"text":"stray"},"subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(pb, sa));
    assertThat(read("centre-a", "Observation/" + stray)).isEqualTo(200);
    assertThat(ids("regional-exchange", "/Observation?subject:Patient.identifier=https://radbridge.org/fhir/sid/centre-b/mrn|"
        + mrnB)).contains(stray);
    assertThat(ids("centre-a", "/Observation?subject:Patient.identifier=https://radbridge.org/fhir/sid/centre-b/mrn|"
        + mrnB)).isEmpty();
    // centre B's observation (OB) has a code only it may know; centre A cannot find its own patient by it
    String secret = unique("secret");
    create("""
        {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]},
         "subject":{"reference":"Patient/%s"},"basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(secret, pa, sb));
    assertThat(ids("regional-exchange", "/Patient?_has:Observation:subject:code=urn:test|" + secret)).containsExactly(pa);
    assertThat(ids("centre-a", "/Patient?_has:Observation:subject:code=urn:test|" + secret)).isEmpty();
  }

  @Test
  void aSubscriptionIsToldOnlyAboutWhatItsOwnerMayRead() throws Exception {
    try (org.radbridge.server.subscription.HookReceiver hook = new org.radbridge.server.subscription.HookReceiver()) {
      String code = unique("sub");
      RestAssured.given().header("Authorization", TestTokens.orgToken(port, "centre-a", "system/*.rs system/Subscription.c"))
          .contentType("application/fhir+json").body("""
              {"resourceType":"Subscription","status":"requested","reason":"centre A's reports",
               "criteria":"DiagnosticReport?code=urn:test|%s",
               "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}"""
              .formatted(code, hook.url("/a"))).post("/Subscription").then().statusCode(201);
      String report = """
          {"resourceType":"DiagnosticReport","status":"final","code":{"coding":[{"system":"urn:test","code":"%s"}]},
           "subject":{"reference":"Patient/%s"},"basedOn":[{"reference":"ServiceRequest/%s"}]}""";
      String ofB = create(report.formatted(code, pb, sb));
      String ofA = create(report.formatted(code, pa, sa));
      List<org.radbridge.server.subscription.HookReceiver.Hit> hits = hook.await(1);
      // centre B's report was written first: had it been sent, it would have arrived first
      assertThat(hits).isNotEmpty();
      assertThat(hits.get(0).path()).isEqualTo("/a/DiagnosticReport/" + ofA);
      assertThat(hits).extracting(org.radbridge.server.subscription.HookReceiver.Hit::path)
          .doesNotContain("/a/DiagnosticReport/" + ofB);
    }
  }

  @Test
  void anOrganisationWritesOnlyForItsOwnPatientsAndOrders() {
    String centreA = TestTokens.orgToken(port, "centre-a", "system/*.cruds");
    String city = TestTokens.orgToken(port, "city-hospital", "system/*.cruds");
    // centre B's patient and order are not there for centre A, to change or delete
    RestAssured.given().header("Authorization", centreA).contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\",\"id\":\"" + pb + "\",\"active\":false}").put("/Patient/" + pb)
        .then().statusCode(404);
    RestAssured.given().header("Authorization", centreA).delete("/ServiceRequest/" + sb).then().statusCode(404);
    RestAssured.given().get("/Patient/" + pb).then().statusCode(200).body("meta.versionId", org.hamcrest.Matchers.equalTo("1"));
    RestAssured.given().get("/ServiceRequest/" + sb).then().statusCode(200);
    // nor to order for
    RestAssured.given().header("Authorization", centreA).contentType("application/fhir+json")
        .body(order(pb, "centre-a", "city-hospital")).post("/ServiceRequest").then().statusCode(422)
        .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("Patient/" + pb));
    // its own patient, it changes
    RestAssured.given().header("Authorization", centreA).contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\",\"id\":\"" + pa + "\",\"identifier\":[{\"system\":"
            + "\"https://radbridge.org/fhir/sid/centre-a/mrn\",\"value\":\"" + unique("a") + "\"}],\"active\":true}")
        .put("/Patient/" + pa).then().statusCode(200);
    // the hospital an order is routed to reports on it, and on no other
    String report = """
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},"subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""";
    RestAssured.given().header("Authorization", city).contentType("application/fhir+json")
        .body(report.formatted(pa, sa)).post("/DiagnosticReport").then().statusCode(201);
    RestAssured.given().header("Authorization", city).contentType("application/fhir+json")
        .body(report.formatted(pb, sb)).post("/DiagnosticReport").then().statusCode(422);
  }

  @Test
  void theExchangeReadsEverythingAndWritesOnlyItsSubscriptions() {
    String exchange = TestTokens.orgToken(port, "regional-exchange", "system/*.rs system/Patient.cruds system/Subscription.cruds");
    RestAssured.given().header("Authorization", exchange).get("/Patient/" + pb).then().statusCode(200);
    // its scopes would allow it: the exchange's rule refuses it
    RestAssured.given().header("Authorization", exchange).contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\",\"id\":\"" + pb + "\",\"active\":false}").put("/Patient/" + pb)
        .then().statusCode(403).body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("exchange"));
    RestAssured.given().header("Authorization", exchange).contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\"}").post("/Patient").then().statusCode(403);
    RestAssured.given().get("/Patient/" + pb).then().statusCode(200).body("meta.versionId", org.hamcrest.Matchers.equalTo("1"));
    RestAssured.given().header("Authorization", exchange).contentType("application/fhir+json").body("""
        {"resourceType":"Subscription","status":"requested","reason":"exchange feed","criteria":"DiagnosticReport?status=final",
         "channel":{"type":"rest-hook","endpoint":"http://127.0.0.1:9/feed","payload":"application/fhir+json"}}""")
        .post("/Subscription").then().statusCode(201);
  }

  @Test
  void aHospitalReadsItsOwnWorklistAndOnlyTheTurnaroundOfOrdersItMaySee() {
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "city-hospital"))
        .get("/ImagingStudy/$worklist?organization=Organization/org-city-hospital").then().statusCode(200);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "north-hospital"))
        .get("/ImagingStudy/$worklist?organization=Organization/org-city-hospital").then().statusCode(403);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-b"))
        .get("/ServiceRequest/" + sa + "/$turnaround").then().statusCode(404);
  }

  @Test
  void aPagingLinkShowsItsFollowerOnlyWhatTheFollowerMaySee() {
    String next = RestAssured.given().header("Authorization", TestTokens.orgReader(port, "regional-exchange"))
        .accept("application/fhir+json").get("/Patient?_id=" + pa + "," + pb + "&_count=1").then().statusCode(200)
        .extract().path("link.find { it.relation == 'next' }.url");
    assertThat(next).isNotNull();
    String path = next.substring(next.indexOf("/fhir") + "/fhir".length());
    JsonPath asA = RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-a"))
        .urlEncodingEnabled(false).accept("application/fhir+json").get(path).then().statusCode(200).extract().jsonPath();
    JsonPath asB = RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-b"))
        .urlEncodingEnabled(false).accept("application/fhir+json").get(path).then().statusCode(200).extract().jsonPath();
    List<String> a = asA.getList("entry.resource.id");
    List<String> b = asB.getList("entry.resource.id");
    assertThat(a == null ? List.<String>of() : a).doesNotContain(pb);
    assertThat(b == null ? List.<String>of() : b).doesNotContain(pa);
  }

  @Test
  void aReRoutedOrderTakesItsPatientAndReportToTheNewHospital() {
    json().body(order(pa, "centre-a", "north-hospital").replace("{\"resourceType\":\"ServiceRequest\",",
        "{\"resourceType\":\"ServiceRequest\",\"id\":\"" + sa + "\",")).put("/ServiceRequest/" + sa).then().statusCode(200);
    for (String ref : List.of("Patient/" + pa, "ServiceRequest/" + sa, "DiagnosticReport/" + ra)) {
      assertThat(read("north-hospital", ref)).as("North Hospital (routed now) reads %s", ref).isEqualTo(200);
      assertThat(read("city-hospital", ref)).as("City Hospital (routed before) reads %s", ref).isEqualTo(404);
      assertThat(read("centre-a", ref)).as("centre A reads %s", ref).isEqualTo(200);
    }
  }
}
