package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * A clinician of the reading hospital breaks the glass to see a patient of a centre whose orders
 * are not routed to it: refused before, allowed for the rest of that token's life once a reason is
 * given, every read and write listed for review, the writes tagged.
 */
class BreakGlassTest extends ServerTestBase {
  @org.springframework.beans.factory.annotation.Autowired
  org.radbridge.server.audit.AuditLog audit;

  private static final String SCOPE = "openid user/*.cruds " + SmartScopes.BREAK_GLASS;

  private String personToken(String scope) throws Exception {
    ConsoleLogin.Login login = ConsoleLogin.login(port, TestTokens.CLINICIAN, TestTokens.PASSWORD, scope);
    assertThat(login.status()).as("login: %s", login.token()).isEqualTo(200);
    return "Bearer " + login.token().get("access_token").asText();
  }

  private RequestSpecification as(String bearer) {
    return RestAssured.given().header("Authorization", bearer).contentType("application/fhir+json")
        .accept("application/fhir+json");
  }

  private String centreBPatient() {
    return json().body("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-b/mrn","value":"%s"}]}"""
        .formatted(unique("bg"))).post("/Patient").then().statusCode(201).extract().path("id");
  }

  @Test
  void aReasonLiftsTheOrganisationForThatTokenAndEverythingTouchedIsListed() throws Exception {
    String patient = centreBPatient();
    String carl = personToken(SCOPE);
    as(carl).get("/Patient/" + patient).then().statusCode(404);
    assertThat(as(carl).get("/Patient?_id=" + patient).then().statusCode(200).extract().jsonPath().getList("entry"))
        .isNullOrEmpty();

    RestAssured.given().header("Authorization", carl).basePath("").get("/break-glass").then().statusCode(404);
    RestAssured.given().header("Authorization", carl).basePath("").post("/break-glass").then().statusCode(400)
        .body("error", containsString("reason"));
    RestAssured.given().header("Authorization", carl).basePath("").formParam("reason", "too short").post("/break-glass")
        .then().statusCode(400);
    String reason = "Unconscious patient in the emergency room, prior CT needed";
    long session = RestAssured.given().header("Authorization", carl).basePath("").formParam("reason", reason)
        .post("/break-glass").then().statusCode(201).body("reason", equalTo(reason)).extract().jsonPath()
        .getLong("session");
    RestAssured.given().header("Authorization", carl).basePath("").get("/break-glass").then().statusCode(200)
        .body("session", equalTo((int) session));

    as(carl).get("/Patient/" + patient).then().statusCode(200).body("id", equalTo(patient));
    assertThat(as(carl).get("/Patient?_id=" + patient).then().statusCode(200).extract().jsonPath()
        .getList("entry.resource.id")).containsExactly(patient);
    String obs = as(carl).body("""
        {"resourceType":"Observation","status":"preliminary","code":{"text":"note"},"subject":{"reference":"Patient/%s"}}"""
        .formatted(patient)).post("/Observation").then().statusCode(201).extract().path("id");
    JsonPath written = json().get("/Observation/" + obs).then().statusCode(200).extract().jsonPath();
    assertThat(written.getList("meta.tag.code")).contains("break-glass");
    assertThat(json().get("/Observation?_tag=https://radbridge.org/fhir/CodeSystem/work-item|break-glass&_id=" + obs)
        .then().statusCode(200).extract().jsonPath().getList("entry.resource.id")).containsExactly(obs);

    // the audit trail: the session's start with its reason, and the reads in it marked break-the-glass
    audit.drain();
    String auditor = "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID, TestTokens.key(), "radbridge/audit");
    JsonPath started = RestAssured.given().header("Authorization", auditor).accept("application/fhir+json")
        .queryParam("agent", TestTokens.CLINICIAN).queryParam("subtype", "POST /break-glass").queryParam("outcome", "0")
        .get("/AuditEvent").then().statusCode(200)
        .extract().jsonPath();
    assertThat(started.getList("entry.resource.entity.flatten().description", String.class))
        .anyMatch(d -> d != null && d.contains("break-glass session " + session) && d.contains(reason));
    JsonPath reads = RestAssured.given().header("Authorization", auditor).accept("application/fhir+json")
        .get("/AuditEvent?patient=Patient/" + patient + "&agent=" + TestTokens.CLINICIAN + "&subtype=read").then()
        .statusCode(200).extract().jsonPath();
    assertThat(reads.getList("entry.resource.collect { it.outcome + ' ' + (it.agent[0].purposeOfUse?.getAt(0)?.coding?.getAt(0)?.code) }"))
        .containsExactlyInAnyOrder("4 null", "0 BTG");

    // the reviewer's view
    JsonPath listed = RestAssured.given().basePath("").get("/admin/break-glass?unreviewed=true").then().statusCode(200)
        .extract().jsonPath();
    assertThat(listed.getList("findAll { it.id == " + session + " }.reason")).containsExactly(reason);
    assertThat(listed.getList("findAll { it.id == " + session + " }.username")).containsExactly(TestTokens.CLINICIAN);
    JsonPath one = RestAssured.given().basePath("").get("/admin/break-glass/" + session).then().statusCode(200)
        .extract().jsonPath();
    List<String> touched = one.getList("touched.collect { it.interaction + ' ' + it.reference }");
    assertThat(touched).contains("read Patient/" + patient, "search-type Patient/" + patient, "create Observation/" + obs);
    RestAssured.given().basePath("").post("/admin/break-glass/" + session + "/reviewed").then().statusCode(200)
        .body("reviewedBy", equalTo(TestTokens.CLIENT_ID));
    RestAssured.given().basePath("").post("/admin/break-glass/" + session + "/reviewed").then().statusCode(409);

    // the session is the token's: another login of the same person starts outside it
    String later = personToken(SCOPE);
    as(later).get("/Patient/" + patient).then().statusCode(404);
  }

  @Test
  void onlyAPersonWithTheScopeBreaksTheGlass() throws Exception {
    String withoutScope = personToken("openid user/*.cruds");
    RestAssured.given().header("Authorization", withoutScope).basePath("").formParam("reason", "I really need to see it")
        .post("/break-glass").then().statusCode(403).body("error", containsString(SmartScopes.BREAK_GLASS));
    RestAssured.given().header("Authorization", TestTokens.orgToken(port, "centre-a", "system/*.cruds")).basePath("")
        .formParam("reason", "a system has no emergency").post("/break-glass").then().statusCode(403)
        .body("error", containsString("person"));
    // a viewer's role does not include it
    ConsoleLogin.Login viewer = ConsoleLogin.login(port, TestTokens.VIEWER, TestTokens.PASSWORD,
        "openid user/*.rs " + SmartScopes.BREAK_GLASS);
    assertThat(viewer.status()).isNotEqualTo(200);
    // and the review is the administrator's
    RestAssured.given().header("Authorization", withoutScope).basePath("").get("/admin/break-glass").then().statusCode(403);
  }
}
