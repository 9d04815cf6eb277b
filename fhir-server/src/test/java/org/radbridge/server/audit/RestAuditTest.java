package org.radbridge.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The REST channel's audit trail: each access to a patient's data — a write, a read (also the
 * stored-JSON fast path), a search, a refusal — is one AuditEvent, found by patient with the right
 * agent, interaction and outcome; the trail is read only with radbridge/audit and changed by no one.
 */
class RestAuditTest extends ServerTestBase {
  @Autowired
  AuditLog audit;

  private String auditor() {
    return "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID, TestTokens.key(), "radbridge/audit");
  }

  private JsonPath events(String query) {
    audit.drain();
    return RestAssured.given().header("Authorization", auditor()).accept("application/fhir+json")
        .get("/AuditEvent?" + query).then().statusCode(200).extract().jsonPath();
  }

  @Test
  void aPatientsAccessesAreExactlyTheTrailOfThatPatient() {
    String centreA = TestTokens.orgToken(port, "centre-a", "system/*.cruds");
    String patient = RestAssured.given().header("Authorization", centreA).contentType("application/fhir+json")
        .body("""
            {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}]}"""
            .formatted(unique("audit"))).post("/Patient").then().statusCode(201).extract().path("id");
    // a read through the stored-JSON fast path, one through HAPI (XML), a search, a refused read
    RestAssured.given().header("Authorization", centreA).accept("application/fhir+json").get("/Patient/" + patient)
        .then().statusCode(200);
    RestAssured.given().header("Authorization", centreA).accept("application/fhir+xml").get("/Patient/" + patient)
        .then().statusCode(200);
    RestAssured.given().header("Authorization", centreA).accept("application/fhir+json")
        .get("/Patient?_id=" + patient).then().statusCode(200);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-b")).accept("application/fhir+json")
        .get("/Patient/" + patient).then().statusCode(404);

    JsonPath trail = events("patient=Patient/" + patient + "&_count=100");
    List<String> seen = trail.getList("entry.resource.collect { it.subtype[0].code + ' ' + it.outcome + ' '"
        + " + it.agent[0].who.identifier.value }");
    // the refused attempt is part of the patient's trail too, with its outcome (4: refused)
    assertThat(seen).containsExactlyInAnyOrder("create 0 centre-a-sys", "read 0 centre-a-sys", "read 0 centre-a-sys",
        "search-type 0 centre-a-sys", "read 4 centre-b-sys");
    assertThat(trail.getList("entry.resource.collect { it.agent[0].network.address }", String.class)).allMatch(a -> a != null);
    assertThat(trail.getList("entry.resource.findAll { it.subtype[0].code == 'search-type' }[0].entity.findAll { it.query != null }"))
        .hasSize(1);

    JsonPath refused = events("entity=Patient/" + patient + "&outcome=4");
    assertThat(refused.getList("entry.resource.collect { it.agent[0].who.identifier.value }")).containsExactly("centre-b-sys");
    assertThat(refused.getString("entry[0].resource.outcomeDesc")).startsWith("404");
  }

  @Test
  void refusalsOfTheSecurityFiltersAreRecorded() {
    String marker = unique("denied");
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-a")).basePath("")
        .get("/admin/outbox?destination=" + marker).then().statusCode(403);
    RestAssured.given().header("X-Test-No-Token", "1").get("/Patient?family=" + marker).then().statusCode(401);
    JsonPath admin = events("agent=centre-a-sys&outcome=4&type=110113&_count=1000");
    assertThat(admin.getList("entry.resource.collect { it.subtype[0].code }")).contains("GET /admin/outbox");
    JsonPath anonymous = events("agent=unknown&outcome=4&_count=1000");
    assertThat(anonymous.getList("entry.resource.entity.flatten().description", String.class).stream()
        .filter(d -> d != null && d.contains(marker))).hasSize(1);
  }

  @Test
  void aRecordWithUnstorableTextIsStoredAndHoldsUpNothing() {
    // hostile input carries U+0000 into refusal messages (the bad-input corpus did); PostgreSQL text cannot hold it
    String agent = unique("nul-agent");
    audit.record(new AuditRecord(java.time.Instant.now(), AuditTypes.REST, "read", 'R', 4, "400 bad \u0000 value",
        new AuditRecord.Agent("client", agent, null, "127.0.0.1", null), null, List.of(), 0, "?name=a\u0000b", null), false);
    audit.record(new AuditRecord(java.time.Instant.now(), AuditTypes.REST, "search-type", 'E', 0, null,
        new AuditRecord.Agent("client", agent, null, "127.0.0.1", null), null, List.of(), 0, null, null), false);
    JsonPath trail = events("agent=" + agent);
    assertThat(trail.getList("entry.resource.collect { it.subtype[0].code }")).containsExactlyInAnyOrder("read", "search-type");
    assertThat(trail.getList("entry.resource.collect { it.outcomeDesc }", String.class)).contains("400 bad \uFFFD value");
  }

  @Test
  void theTrailNeedsTheAuditScopeAndCannotBeChanged() {
    RestAssured.given().accept("application/fhir+json").get("/AuditEvent").then().statusCode(403)
        .body("issue[0].diagnostics", containsString("radbridge/audit"));
    String id = events("_count=1").getString("entry[0].resource.id");
    assertThat(id).isNotNull();
    String everything = "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID, TestTokens.key(),
        "system/*.cruds radbridge/admin radbridge/audit");
    for (String method : List.of("PUT", "DELETE")) {
      int status = RestAssured.given().header("Authorization", everything).contentType("application/fhir+json")
          .body("{\"resourceType\":\"AuditEvent\",\"id\":\"" + id + "\"}").request(method, "/AuditEvent/" + id)
          .then().extract().statusCode();
      assertThat(status).as(method).isIn(400, 405);
    }
    int post = RestAssured.given().header("Authorization", everything).contentType("application/fhir+json")
        .body("{\"resourceType\":\"AuditEvent\"}").post("/AuditEvent").then().extract().statusCode();
    assertThat(post).isIn(400, 405);
    RestAssured.given().header("Authorization", auditor()).accept("application/fhir+json").get("/AuditEvent/" + id)
        .then().statusCode(200).body("id", org.hamcrest.Matchers.equalTo(id));
  }
}
