package org.radbridge.server.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** Validation on write (modes, mandatory profiles, unknown profiles), $validate, and the shipped profiles. */
class ValidationTest extends ServerTestBase {
  private static final String SR_PROFILE = "https://radbridge.org/fhir/StructureDefinition/rb-service-request";

  @Autowired
  RadBridgeProperties props;

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  /** The example order with its own accession number (so a test can look for what it wrote). */
  private static String order(String accession) {
    return example("ServiceRequest-rb-example-order").replace("\"id\": \"rb-example-order\",", "")
        .replace("A2026-000451", accession);
  }

  static String orderWithoutAccession(String marker) {
    JsonPath p = JsonPath.from(order("x"));
    Map<String, Object> sr = p.getMap("");
    sr.remove("identifier");
    sr.put("note", List.of(Map.of("text", marker)));
    return toJson(sr);
  }

  /** The example order without its priority: a profile failure the hub cannot complete. */
  static String orderWithoutPriority(String marker) {
    Map<String, Object> sr = JsonPath.from(order("x" + marker)).getMap("");
    sr.remove("priority");
    sr.put("note", List.of(Map.of("text", marker)));
    return toJson(sr);
  }

  private static String toJson(Object o) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private long ordersWithAccession(String accession) {
    return count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'ServiceRequest'"
        + " AND t.param = 'identifier' AND t.code = ? AND NOT r.deleted", accession);
  }

  @Test
  void aValidClaimedOrderIsWritten() {
    String acc = unique("ACC");
    json().body(order(acc)).post("/ServiceRequest").then().statusCode(201);
    assertThat(ordersWithAccession(acc)).isEqualTo(1);
  }

  @Test
  void enforceRefusesAnOrderBreakingItsProfileAndListsEveryIssue() {
    String acc = unique("ACC");
    String body = order(acc).replace("\"priority\": \"routine\",", "")
        .replace("\"subject\": {\n    \"reference\": \"Patient/rb-example-patient\"\n  },", "");
    assertThat(body).doesNotContain("\"subject\"");
    Response r = json().body(body).post("/ServiceRequest");
    r.then().statusCode(422)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString(SR_PROFILE))
        .body("issue.diagnostics", hasItem(containsString("ServiceRequest.priority: minimum required = 1")))
        .body("issue.diagnostics", hasItem(containsString("ServiceRequest.subject: minimum required = 1")));
    assertThat(ordersWithAccession(acc)).isZero();
  }

  @Test
  void anOrderWithoutRequesterOrAccessionIsCompletedNotRefused() {
    String marker = unique("noreq");
    String body = orderWithoutAccession(marker).replace(
        "\"requester\":{\"reference\":\"Practitioner/rb-example-requester\"},", "");
    assertThat(body).doesNotContain("requester");
    io.restassured.path.json.JsonPath sr = json().body(body).post("/ServiceRequest").then().statusCode(201)
        .extract().jsonPath();
    assertThat(sr.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value")).matches("RB\\d{8,}");
    assertThat(sr.getString("requester")).isNull();
  }

  @Test
  void aProcedureOutsideTheImagingListIsAWarningWithItsFhirPathLocation() {
    String body = order(unique("ACC")).replace("\"code\": \"30799-1\"", "\"code\": \"2345-7\"")
        .replace("\"display\": \"CT Head WO contrast\"", "\"display\": \"Glucose\"");
    // the binding is extensible: a LOINC code outside the list is allowed, and said
    json().header("Prefer", "return=OperationOutcome").body(body).post("/ServiceRequest").then().statusCode(201)
        .body("issue.findAll { it.expression == ['ServiceRequest.code'] }.severity",
            org.hamcrest.Matchers.everyItem(equalTo("warning")))
        .body("issue.findAll { it.expression == ['ServiceRequest.code'] }.diagnostics",
            hasItem(containsString("2345-7")));
  }

  @Test
  void anUnknownClaimedProfileIsAWarningNotARejection() {
    String body = """
        {"resourceType":"Patient","meta":{"profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},
         "name":[{"family":"%s"}]}""".formatted(unique("Unknownprofile"));
    json().header("Prefer", "return=OperationOutcome").body(body).post("/Patient").then().statusCode(201)
        .body("issue.find { it.severity == 'warning' }.diagnostics",
            containsString("us-core-patient claimed in meta.profile is not known to this server"))
        .body("issue.find { it.severity == 'warning' }.expression[0]", equalTo("Patient.meta.profile"));
  }





  static String removeMeta(String json) {
    Map<String, Object> m = JsonPath.from(json).getMap("");
    m.remove("meta");
    return toJson(m);
  }

  @Test
  void aTransactionWithAnInvalidResourceWritesNothing() {
    String acc = unique("ACC");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":%s,"request":{"method":"POST","url":"ServiceRequest"}},
          {"resource":%s,"request":{"method":"POST","url":"ServiceRequest"}}]}"""
        .formatted(order(acc), order(unique("tx")).replace("\"priority\": \"routine\",", ""));
    json().body(bundle).post("").then().statusCode(422)
        .body("issue.diagnostics", hasItem(containsString("ServiceRequest.priority: minimum required = 1")));
    assertThat(ordersWithAccession(acc)).isZero();
  }

  // ---- $validate ----------------------------------------------------------------------------

  @Test
  void validateOperationReportsIssuesWithoutWriting() {
    String marker = unique("validate");
    json().body(orderWithoutAccession(marker)).post("/ServiceRequest/$validate").then().statusCode(200)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue.findAll { it.severity == 'error' }.diagnostics", hasItem(containsString("identifier:accession")));
    assertThat(count("SELECT count(*) FROM resource WHERE content LIKE ?", "%" + marker + "%")).isZero();

    json().body(order(unique("ACC"))).post("/ServiceRequest/$validate").then().statusCode(200)
        .body("issue.findAll { it.severity == 'error' }", org.hamcrest.Matchers.empty());
  }

  @Test
  void validateOperationTakesAProfileParameter() {
    String unclaimed = removeMeta(orderWithoutAccession(unique("p")));
    String params = """
        {"resourceType":"Parameters","parameter":[{"name":"resource","resource":%s},
          {"name":"profile","valueUri":"%s"}]}""".formatted(unclaimed, SR_PROFILE);
    json().body(params).post("/ServiceRequest/$validate").then().statusCode(200)
        .body("issue.findAll { it.severity == 'error' }.diagnostics", hasItem(containsString("identifier:accession")));

    String unknown = """
        {"resourceType":"Parameters","parameter":[{"name":"resource","resource":%s},
          {"name":"profile","valueUri":"https://example.org/StructureDefinition/nope"}]}""".formatted(unclaimed);
    json().body(unknown).post("/ServiceRequest/$validate").then().statusCode(400)
        .body("issue[0].diagnostics", containsString("https://example.org/StructureDefinition/nope is not known"));
  }

  @Test
  void validateOperationOnAnInstance() {
    String id = json().body(order(unique("ACC"))).post("/ServiceRequest").then().statusCode(201)
        .extract().path("id");
    json().body(order(unique("ACC")).replaceFirst("\\{", "{\"id\":\"" + id + "\","))
        .post("/ServiceRequest/" + id + "/$validate").then().statusCode(200)
        .body("issue.findAll { it.severity == 'error' }", org.hamcrest.Matchers.empty());
  }

  // ---- conformance resources ----------------------------------------------------------------

  @Test
  void shippedProfilesAreReadableWithSnapshotsAndReadOnly() {
    Response sd = json().get("/StructureDefinition/rb-service-request");
    sd.then().statusCode(200).body("url", equalTo(SR_PROFILE))
        .body("snapshot.element.id", hasItem("ServiceRequest.identifier:accession"))
        .body("differential.element.id", hasItem("ServiceRequest.identifier:accession"));
    json().body(sd.asString()).put("/StructureDefinition/rb-service-request").then().statusCode(405)
        .body("issue[0].diagnostics", containsString("read-only"));
    json().delete("/StructureDefinition/rb-service-request").then().statusCode(405);
    json().queryParam("url", SR_PROFILE).get("/StructureDefinition").then().statusCode(200).body("entry.size()", equalTo(1));
    json().get("/metadata").then().statusCode(200)
        .body("rest[0].resource.find { it.type == 'ServiceRequest' }.supportedProfile", hasItem(SR_PROFILE));
  }

  @Test
  void aShippedCanonicalUrlCannotBeTakenByAnotherResource() {
    json().body("""
        {"resourceType":"ValueSet","url":"https://radbridge.org/fhir/ValueSet/rb-modality","status":"draft"}""")
        .post("/ValueSet").then().statusCode(422)
        .body("issue[0].diagnostics", containsString("belongs to the network's shipped ValueSet/rb-modality"));
  }

  @Test
  void aProfileCreatedThroughRestIsEnforcedAtOnce() {
    String url = "https://example.org/fhir/StructureDefinition/" + unique("noted-observation");
    String sd = """
        {"resourceType":"StructureDefinition","url":"%s","name":"NotedObservation","status":"active",
         "fhirVersion":"4.0.1","kind":"resource","abstract":false,"type":"Observation",
         "baseDefinition":"http://hl7.org/fhir/StructureDefinition/Observation","derivation":"constraint",
         "differential":{"element":[{"id":"Observation","path":"Observation"},
           {"id":"Observation.note","path":"Observation.note","min":1}]}}""".formatted(url);
    json().body(sd).post("/StructureDefinition").then().statusCode(201);
    String obs = """
        {"resourceType":"Observation","meta":{"profile":["%s"]},"status":"final",
         "code":{"text":"blood pressure"}%s}""";
    json().body(obs.formatted(url, "")).post("/Observation").then().statusCode(422)
        .body("issue.diagnostics", hasItem(containsString("Observation.note: minimum required = 1")));
    json().body(obs.formatted(url, ",\"note\":[{\"text\":\"seated\"}]")).post("/Observation").then().statusCode(201);
  }
}
