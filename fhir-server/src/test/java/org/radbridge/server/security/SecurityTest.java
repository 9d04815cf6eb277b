package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * Bearer tokens from the built-in authorization server, got the SMART Backend Services way (a
 * client assertion signed by the test client's key), and what they allow: 401 without one, 403
 * beyond the token's scopes, directory writes only for the administrator.
 */
class SecurityTest extends ServerTestBase {
  private String readerToken(String scopes) {
    return "Bearer " + TestTokens.token(port, TestTokens.READER_ID, TestTokens.READER_KEY, scopes);
  }

  @Test
  void withoutATokenTheAnswerIs401WithWwwAuthenticateAndAnOperationOutcome() {
    RestAssured.given().header("X-Test-No-Token", "1").accept("application/fhir+json").get("/Patient")
        .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
        .contentType(containsString("application/fhir+json"))
        .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("login"))
        .body("issue[0].diagnostics", containsString("bearer token"));
    RestAssured.given().header("Authorization", "Bearer " + "e30.e30.sig").get("/Patient")
        .then().statusCode(401).header("WWW-Authenticate", containsString("invalid_token"));
    RestAssured.given().header("X-Test-No-Token", "1").basePath("").get("/websocket").then().statusCode(401);
    RestAssured.given().header("X-Test-No-Token", "1").basePath("").get("/admin/outbox").then().statusCode(401);
    RestAssured.given().header("X-Test-No-Token", "1").basePath("").get("/actuator/metrics").then().statusCode(401);
  }

  @Test
  void theCapabilityStatementTheSmartConfigurationAndTheProbesAreOpen() {
    JsonPath cs = RestAssured.given().header("X-Test-No-Token", "1").accept("application/fhir+json").get("/metadata")
        .then().statusCode(200).extract().jsonPath();
    assertThat(cs.getString("rest[0].security.service[0].coding[0].code")).isEqualTo("SMART-on-FHIR");
    assertThat(cs.getString("rest[0].security.extension[0].extension[0].valueUri")).endsWith("/oauth2/token");
    assertThat(cs.getString("rest[0].security.description")).contains("system/*.cruds").contains("radbridge/admin");
    for (String path : new String[] {"/fhir/.well-known/smart-configuration", "/.well-known/smart-configuration"}) {
      JsonPath smart = RestAssured.given().header("X-Test-No-Token", "1").basePath("").get(path)
          .then().statusCode(200).extract().jsonPath();
      assertThat(smart.getString("token_endpoint")).endsWith("/oauth2/token");
      assertThat(smart.getList("grant_types_supported")).containsExactly("client_credentials");
      assertThat(smart.getList("token_endpoint_auth_methods_supported")).contains("private_key_jwt");
      assertThat(smart.getList("token_endpoint_auth_signing_alg_values_supported")).contains("RS384", "ES384");
      assertThat(smart.getList("capabilities")).contains("client-confidential-asymmetric", "permission-v2");
    }
    RestAssured.given().header("X-Test-No-Token", "1").basePath("").get("/actuator/health/liveness")
        .then().statusCode(200);
  }

  @Test
  void aTokenAllowsWhatItsScopesNameAndNothingElse() {
    String token = readerToken("system/Patient.rs system/Observation.read");
    // a patient of centre A (its MRN system), which the centre A client may read
    String id = json().body("{\"resourceType\":\"Patient\",\"active\":true,\"identifier\":[{\"system\":"
        + "\"https://radbridge.org/fhir/sid/centre-a/mrn\",\"value\":\"" + unique("mrn") + "\"}]}").post("/Patient")
        .then().statusCode(201).extract().path("id");
    RestAssured.given().header("Authorization", token).get("/Patient/" + id).then().statusCode(200);
    RestAssured.given().header("Authorization", token).get("/Patient?_id=" + id).then().statusCode(200)
        .body("entry[0].resource.id", equalTo(id));
    json().header("Authorization", token).body("{\"resourceType\":\"Patient\"}").post("/Patient")
        .then().statusCode(403).body("issue[0].code", equalTo("forbidden"))
        .body("issue[0].diagnostics", containsString("system/Patient.c"));
    json().header("Authorization", token).body("{\"resourceType\":\"Patient\",\"id\":\"" + id + "\"}")
        .put("/Patient/" + id).then().statusCode(403).body("issue[0].diagnostics", containsString("system/Patient.u"));
    RestAssured.given().header("Authorization", token).delete("/Patient/" + id).then().statusCode(403);
    RestAssured.given().header("Authorization", token).get("/ServiceRequest").then().statusCode(403)
        .body("issue[0].diagnostics", containsString("system/ServiceRequest.s"));
    RestAssured.given().header("Authorization", token).get("/_history").then().statusCode(403);
    RestAssured.given().header("Authorization", token).get("/?_type=Patient").then().statusCode(200);
    RestAssured.given().header("Authorization", token).basePath("").get("/admin/outbox").then().statusCode(403)
        .body("resourceType", equalTo("OperationOutcome"));
    RestAssured.given().header("Authorization", token).basePath("").get("/actuator/metrics").then().statusCode(403);
    // the resource was not changed by the refused writes
    RestAssured.given().get("/Patient/" + id).then().statusCode(200).body("meta.versionId", equalTo("1"));
  }

  @Test
  void aBatchChecksEachEntryAndAPagingLinkNeedsTheScopesOfItsSearch() {
    String token = readerToken("system/Patient.rs");
    JsonPath batch = json().header("Authorization", token).body("""
        {"resourceType":"Bundle","type":"batch","entry":[
         {"resource":{"resourceType":"Patient","active":true},"request":{"method":"POST","url":"Patient"}},
         {"request":{"method":"GET","url":"Patient?_count=1"}},
         {"request":{"method":"GET","url":"Task?_count=1"}}]}""").post("/")
        .then().statusCode(200).extract().jsonPath();
    assertThat(batch.getString("entry[0].response.status")).startsWith("403");
    assertThat(batch.getString("entry[1].response.status")).startsWith("200");
    assertThat(batch.getString("entry[2].response.status")).startsWith("403");
    // a link another client was given does not carry its permission
    for (int i = 0; i < 2; i++) {
      json().body("{\"resourceType\":\"Task\",\"status\":\"requested\",\"intent\":\"order\"}").post("/Task")
          .then().statusCode(201);
    }
    String next = RestAssured.given().accept("application/fhir+json").get("/Task?_count=1").then().statusCode(200)
        .extract().path("link.find { it.relation == 'next' }.url");
    assertThat(next).isNotNull();
    RestAssured.given().header("Authorization", token).urlEncodingEnabled(false).basePath("").get(next.substring(next.indexOf("/fhir")))
        .then().statusCode(403);
  }

  @Test
  void theNetworkDirectoryIsWrittenOnlyWithTheAdminScope() {
    String reader = "Bearer " + TestTokens.token(port, TestTokens.READER_ID, TestTokens.READER_KEY, "system/Patient.rs");
    String endpoint = """
        {"resourceType":"Endpoint","id":"dicom-CITY-PACS","status":"active",
         "connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"dicom-wado-rs"},
         "payloadType":[{"text":"DICOM"}],"address":"dicom://EVIL@10.0.0.66:104"}""";
    json().header("Authorization", reader).body(endpoint).put("/Endpoint/dicom-CITY-PACS")
        .then().statusCode(403).body("issue[0].diagnostics", containsString("radbridge/admin"));
    RestAssured.given().get("/Endpoint/dicom-CITY-PACS").then().statusCode(200)
        .body("address", org.hamcrest.Matchers.not(containsString("EVIL")));
  }

  @Test
  void theTokenEndpointHoldsToSmartBackendServices() throws Exception {
    // a scope the client is not registered for
    JsonNode wider = TestTokens.requestToken(port,
        TestTokens.clientAssertion(port, TestTokens.READER_ID, TestTokens.READER_KEY), "system/ServiceRequest.cruds");
    assertThat(wider.path("error").asText()).isEqualTo("invalid_scope");
    // a narrower spelling of a registered scope is granted as asked
    JsonNode narrower = TestTokens.requestToken(port,
        TestTokens.clientAssertion(port, TestTokens.READER_ID, TestTokens.READER_KEY), "system/Patient.read");
    assertThat(narrower.path("scope").asText()).isEqualTo("system/Patient.read");
    assertThat(narrower.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(narrower.path("expires_in").asInt()).isBetween(1, 300);
    // a client assertion is good once
    String assertion = TestTokens.clientAssertion(port, TestTokens.READER_ID, TestTokens.READER_KEY);
    assertThat(TestTokens.requestToken(port, assertion, "system/Patient.rs").has("access_token")).isTrue();
    assertThat(TestTokens.requestToken(port, assertion, "system/Patient.rs").path("error").asText())
        .isEqualTo("invalid_client");
    // signed by a key that is not the client's
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").algorithm(JWSAlgorithm.RS384).generate();
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, TestTokens.READER_ID, stranger),
        "system/Patient.rs").path("error").asText()).isEqualTo("invalid_client");
    // the token names the client's organisation
    String token = narrower.path("access_token").asText();
    String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(payload).contains("\"organization\":\"centre-a\"").contains("\"client_id\":\"test-reader\"");
  }

  @Test
  void theBootstrapAdministratorGetsATokenWithOneRequest(@org.springframework.beans.factory.annotation.Value(
      "${radbridge.data-dir}") String dataDir) throws Exception {
    Path file = Path.of(dataDir, "admin-client.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    JsonNode admin = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    String token = RestAssured.given().auth().preemptive().basic(admin.get("client_id").asText(),
            admin.get("client_secret").asText()).header("X-Test-No-Token", "1").basePath("")
        .formParam("grant_type", "client_credentials").formParam("scope", "system/*.cruds radbridge/admin")
        .post("/oauth2/token").then().statusCode(200).extract().path("access_token");
    RestAssured.given().header("Authorization", "Bearer " + token).basePath("").get("/admin/outbox/summary")
        .then().statusCode(200);
    RestAssured.given().auth().preemptive().basic(admin.get("client_id").asText(), "wrong").header("X-Test-No-Token", "1")
        .basePath("").formParam("grant_type", "client_credentials").post("/oauth2/token").then().statusCode(401);
  }
}
