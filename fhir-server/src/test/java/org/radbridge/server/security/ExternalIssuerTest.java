package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.TestServers;
import org.radbridge.server.TestTokens;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code radbridge.security.issuer-uri} against a second authorization server in this JVM (what CI
 * runs; KeycloakIssuerTest does the same against Keycloak in the {@code keycloak} profile): a
 * RadBridge node with its own Spring Authorization Server is the issuer, with its own signing key,
 * clients and OpenID discovery; a second node trusts only it. The second node's callers act for
 * the organisation of the issuer's claim, within the issuer's scopes; its own token endpoint is off
 * and a token the issuer did not sign is refused.
 */
class ExternalIssuerTest {
  @TempDir
  static Path dirs;
  private static ConfigurableApplicationContext issuer;
  private static ConfigurableApplicationContext node;
  private static int issuerPort;
  private static int port;

  @BeforeAll
  static void startTheIssuerAndANodeThatTrustsIt() {
    issuer = TestServers.onDataDir(dirs.resolve("issuer")).start();
    issuerPort = TestServers.port(issuer);
    node = TestServers.onDataDir(dirs.resolve("node")).withTestNetwork()
        .with("radbridge.security.issuer-uri", "http://127.0.0.1:" + issuerPort).start();
    port = TestServers.port(node);
  }

  @AfterAll
  static void stopThem() {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (issuer != null) {
        issuer.close();
      }
    }
  }

  private static RequestSpecification fhir(String bearer) {
    RequestSpecification r = RestAssured.given().port(port).basePath("/fhir").contentType("application/fhir+json")
        .accept("application/fhir+json");
    return bearer == null ? r.header("X-Test-No-Token", "1") : r.header("Authorization", bearer);
  }

  @Test
  void theIssuersTokensWorkForTheirScopesAndOrganisation() {
    String centreA = TestTokens.orgToken(issuerPort, "centre-a", "system/Patient.cruds system/ServiceRequest.cruds");
    String patient = fhir(centreA).body("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"EXT-1"}]}""")
        .post("/Patient").then().statusCode(201).extract().path("id");
    fhir(centreA).get("/Patient/" + patient).then().statusCode(200).body("id", equalTo(patient));
    // an order without accession: numbered in the organisation of the issuer's claim
    String order = fhir(centreA).body("""
        {"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/%s"},
         "performerType":{"coding":[{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"}]}}"""
        .formatted(patient)).post("/ServiceRequest").then().statusCode(201).extract().path("id");
    JsonPath sr = fhir(centreA).get("/ServiceRequest/" + order).then().statusCode(200).extract().jsonPath();
    assertThat(sr.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.system"))
        .isEqualTo("https://radbridge.org/fhir/sid/centre-a/accession");
    // beyond the token's scopes
    fhir(centreA).get("/Observation").then().statusCode(403).body("issue[0].diagnostics", containsString("system/Observation.s"));
    // another organisation of the same issuer does not see centre A's patient
    fhir(TestTokens.orgReader(issuerPort, "centre-b")).get("/Patient/" + patient).then().statusCode(404);
  }

  @Test
  void tokensTheIssuerDidNotSignAreRefusedAndTheNodeIssuesNone() throws Exception {
    String good = TestTokens.token(issuerPort);
    fhir("Bearer " + good).get("/Patient").then().statusCode(200);
    fhir(null).get("/Patient").then().statusCode(401);

    // the node's own authorization server is off
    JsonPath own = RestAssured.given().port(port).header("X-Test-No-Token", "1").contentType("application/x-www-form-urlencoded")
        .formParam("grant_type", "client_credentials").formParam("scope", "system/*.rs")
        .formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .formParam("client_assertion", TestTokens.clientAssertion(port, TestTokens.CLIENT_ID, TestTokens.READER_KEY))
        .post("/oauth2/token").then().statusCode(401).extract().jsonPath();
    assertThat(own.getString("access_token")).isNull();

    // the good token's claims, widened and signed by another key under the issuer's key id, and under none it knows
    SignedJWT real = SignedJWT.parse(good);
    JWTClaimsSet forged = new JWTClaimsSet.Builder(real.getJWTClaimsSet()).claim("organization", "centre-b")
        .jwtID(UUID.randomUUID().toString()).build();
    for (String kid : new String[] {real.getHeader().getKeyID(), "unknown"}) {
      RSAKey other = new RSAKeyGenerator(2048).keyID(kid).generate();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), forged);
      jwt.sign(new RSASSASigner(other));
      fhir("Bearer " + jwt.serialize()).get("/Patient").then().statusCode(401)
          .header("WWW-Authenticate", containsString("invalid_token"));
    }
    fhir("Bearer " + good).get("/Patient").then().statusCode(200);
  }

  @Test
  void theSmartConfigurationSendsClientsToTheIssuer() {
    JsonPath smart = RestAssured.given().port(port).header("X-Test-No-Token", "1").get("/.well-known/smart-configuration")
        .then().statusCode(200).extract().jsonPath();
    assertThat(smart.getString("issuer")).isEqualTo("http://127.0.0.1:" + issuerPort);
    assertThat(smart.getString("token_endpoint")).isEqualTo("http://127.0.0.1:" + issuerPort + "/oauth2/token");
  }
}
