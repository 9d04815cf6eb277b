package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * An administrator registers a SMART Backend Services client through {@code /admin/clients}; the
 * client then gets tokens with its own key, for its organisation only, until it is removed.
 */
class ClientAdminTest extends ServerTestBase {

  @Test
  void aClientRegisteredThroughTheApiGetsTokensForItsOrganisationUntilRemoved() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("api-key-1").generate();
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    // a patient of centre B (its identifier system makes it centre B's), which the new centre-A client must never see
    String bPatient = RestAssured.given().contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://radbridge.org/fhir/sid/centre-b/mrn\",\"value\":\"API-B-1\"}]}")
        .post("/Patient").then().statusCode(201).extract().header("Location");

    RestAssured.given().basePath("").contentType(ContentType.JSON)
        .body(Map.of("organization", "centre-a", "scopes", List.of("system/Patient.rs"), "jwks", jwks))
        .put("/admin/clients/ehr-a").then().statusCode(201)
        .body("client_id", equalTo("ehr-a")).body("organization", equalTo("centre-a"))
        .body("authentication[0]", equalTo("private_key_jwt")).body("source", equalTo("api"));
    assertThat(RestAssured.given().basePath("").get("/admin/clients").then().statusCode(200).extract().jsonPath()
        .getList("client_id", String.class)).contains("ehr-a", TestTokens.CLIENT_ID);

    JsonNode granted = TestTokens.requestToken(port, TestTokens.clientAssertion(port, "ehr-a", key), "system/Patient.rs");
    assertThat(granted.path("access_token").asText()).isNotBlank();
    String token = "Bearer " + granted.get("access_token").asText();
    RestAssured.given().header("Authorization", token).get(bPatient.replaceAll("/_history/.*", "")
        .replaceFirst("^.*/fhir", "")).then().statusCode(404);
    RestAssured.given().header("Authorization", token).contentType("application/fhir+json").body("{\"resourceType\":\"Patient\"}")
        .post("/Patient").then().statusCode(403);
    // beyond its registered scopes: refused by the authorization server
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, "ehr-a", key), "system/Patient.cruds")
        .path("error").asText()).isEqualTo("invalid_scope");

    RestAssured.given().basePath("").delete("/admin/clients/ehr-a").then().statusCode(204);
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, "ehr-a", key), "system/Patient.rs")
        .path("error").asText()).isEqualTo("invalid_client");
    RestAssured.given().basePath("").get("/admin/clients/ehr-a").then().statusCode(404);
  }

  @Test
  void aChangedKeyIsTheOnlyKeyThatWorks() throws Exception {
    RSAKey first = new RSAKeyGenerator(2048).keyID("k-first").generate();
    RSAKey second = new RSAKeyGenerator(2048).keyID("k-second").generate();
    put("rotating", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"),
        "jwks", new JWKSet(first.toPublicJWK()).toJSONObject())).statusCode(201);
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, "rotating", first), "system/*.rs")
        .hasNonNull("access_token")).isTrue();
    put("rotating", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"),
        "jwks", new JWKSet(second.toPublicJWK()).toJSONObject())).statusCode(200);
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, "rotating", first), "system/*.rs")
        .path("error").asText()).isEqualTo("invalid_client");
    assertThat(TestTokens.requestToken(port, TestTokens.clientAssertion(port, "rotating", second), "system/*.rs")
        .hasNonNull("access_token")).isTrue();
  }

  @Test
  void whatCannotBeAClientIsRefusedNamingWhy() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
    String pub = new JWKSet(key.toPublicJWK()).toString();
    put("x1", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"), "jwks", new JWKSet(key).toString(false)))
        .statusCode(400).body("error", containsString("public keys only"));
    put("x2", Map.of("organization", "nowhere", "scopes", List.of("system/*.rs"), "jwks", pub))
        .statusCode(400).body("error", containsString("'nowhere' is not an organisation"));
    put("x3", Map.of("organization", "centre-a", "scopes", List.of("everything"), "jwks", pub))
        .statusCode(400).body("error", containsString("not a scope"));
    put("x4", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"))).statusCode(400)
        .body("error", containsString("exactly one of jwks"));
    put("x5", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"), "jwks_uri", "http://keys.example.org/jwks"))
        .statusCode(400).body("error", containsString("https"));
    put("x6", Map.of("scopes", List.of("system/*.rs"), "jwks", pub)).statusCode(400)
        .body("error", containsString("organization is required"));
    put("bad id!", Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"), "jwks", pub)).statusCode(400);
    put(TestTokens.CLIENT_ID, Map.of("organization", "centre-a", "scopes", List.of("system/*.rs"), "jwks", pub))
        .statusCode(409).body("error", containsString("configuration"));
    RestAssured.given().basePath("").delete("/admin/clients/radbridge-admin").then().statusCode(409);
    assertThat(RestAssured.given().basePath("").get("/admin/clients").then().extract().jsonPath()
        .getList("client_id", String.class)).doesNotContain("x1", "x2", "x3", "x4", "x5", "x6");
  }

  @Test
  void onlyTheAdministratorRegistersClients() {
    String centre = TestTokens.orgToken(port, "centre-a", "system/*.cruds");
    RestAssured.given().basePath("").header("Authorization", centre).get("/admin/clients").then().statusCode(403);
    RestAssured.given().basePath("").header("Authorization", centre).contentType(ContentType.JSON)
        .body(Map.of("organization", "centre-a", "scopes", List.of("system/*.cruds"), "jwks", "{}"))
        .put("/admin/clients/self-made").then().statusCode(403);
    RestAssured.given().basePath("").header("X-Test-No-Token", "1").get("/admin/clients").then().statusCode(401);
  }

  private io.restassured.response.ValidatableResponse put(String id, Map<String, Object> body) {
    return RestAssured.given().basePath("").contentType(ContentType.JSON).body(body).put("/admin/clients/" + id).then();
  }
}
