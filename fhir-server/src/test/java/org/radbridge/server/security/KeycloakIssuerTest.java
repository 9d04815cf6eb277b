package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.radbridge.server.TestServers;
import org.radbridge.server.TestTokens;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An external issuer, for real (issue 21): a Keycloak with a realm {@value #REALM}, in which the
 * HIS of centre A is a confidential client that authenticates with {@code private_key_jwt} (a
 * client assertion signed RS384 by its own key, the public half given to Keycloak as a JWK Set),
 * gets SMART scopes as Keycloak client scopes and carries its organisation in a hardcoded claim.
 * A RadBridge node with {@code radbridge.security.issuer-uri} naming that realm accepts the
 * client's tokens for what their scopes name, knows the caller as centre A, and refuses every
 * token Keycloak's realm did not sign; its own authorization server is off.
 *
 * <p>Tagged {@code keycloak}: only {@code mvn -P keycloak -pl fhir-server verify} runs it (the
 * profile fetches and unpacks the Keycloak distribution); the default build and CI skip it.
 */
@Tag("keycloak")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class KeycloakIssuerTest {
  private static final String REALM = "radbridge";
  private static final String CLIENT = "centre-a-his";
  /** Granted on every token of the client (Keycloak default client scopes). */
  private static final List<String> DEFAULT_SCOPES = List.of("system/Patient.cruds", "system/ServiceRequest.cruds");
  /** Granted when asked for (an optional client scope). */
  private static final String OPTIONAL_SCOPE = "system/Observation.rs";
  /** A scope of the realm the client is not given. */
  private static final String OTHER_SCOPE = "system/*.cruds";
  private static final RSAKey CLIENT_KEY = newKey("centre-a-his-1");

  private static KeycloakServer keycloak;
  private static ConfigurableApplicationContext node;
  private static int port;

  @BeforeAll
  static void startKeycloakAndANodeThatTrustsIt() throws Exception {
    String home = System.getProperty("radbridge.keycloak.home");
    if (home == null) {
      throw new IllegalStateException("radbridge.keycloak.home is not set: run mvn -P keycloak -pl fhir-server verify");
    }
    Path target = Path.of(home).toAbsolutePath().getParent().getParent();
    Path run = Files.createTempDirectory(Files.createDirectories(target.resolve("keycloak-runs")), "run-");
    keycloak = KeycloakServer.start(Path.of(home), run.resolve("keycloak"),
        // a minute on an idle machine; its first start on a fresh unpack also builds itself (Quarkus augmentation)
        Duration.ofMinutes(10));
    setUpRealm();
    node = TestServers.onDataDir(run.resolve("node"))
        .with("radbridge.security.issuer-uri", keycloak.issuer(REALM))
        .with("radbridge.network.organizations[0].key", "centre-a")
        .with("radbridge.network.organizations[0].kind", "community-centre")
        .with("radbridge.network.organizations[0].accession-prefix", "CA")
        .start();
    port = TestServers.port(node);
  }

  @AfterAll
  static void stopThem() {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (keycloak != null) {
        keycloak.close();
      }
    }
  }

  /** The realm, the SMART scopes as client scopes, and the HIS of centre A as a private_key_jwt client. */
  private static void setUpRealm() {
    keycloak.admin("POST", "", Map.of("realm", REALM, "enabled", true));
    // Keycloak takes SMART's '/', '.' and '*' in a client scope's name; the name is what the token's scope claim says
    for (String scope : List.of("system/Patient.cruds", "system/ServiceRequest.cruds", OPTIONAL_SCOPE, OTHER_SCOPE)) {
      keycloak.admin("POST", "/" + REALM + "/client-scopes", Map.of("name", scope, "protocol", "openid-connect",
          "attributes", Map.of("include.in.token.scope", "true", "display.on.consent.screen", "false")));
    }
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("clientId", CLIENT);
    client.put("protocol", "openid-connect");
    client.put("publicClient", false);
    client.put("clientAuthenticatorType", "client-jwt"); // private_key_jwt
    client.put("serviceAccountsEnabled", true); // client_credentials
    client.put("standardFlowEnabled", false);
    client.put("directAccessGrantsEnabled", false);
    client.put("attributes", Map.of(
        // the client's public key by value (Keycloak only takes keys marked "use": "sig")
        "use.jwks.string", "true", "jwks.string", new JWKSet(CLIENT_KEY.toPublicJWK()).toString(),
        "use.jwks.url", "false",
        "token.endpoint.auth.signing.alg", "RS384"));
    client.put("defaultClientScopes", DEFAULT_SCOPES);
    client.put("optionalClientScopes", List.of(OPTIONAL_SCOPE));
    client.put("protocolMappers", List.of(Map.of("name", "organization", "protocol", "openid-connect",
        "protocolMapper", "oidc-hardcoded-claim-mapper", "config", Map.of(
            "claim.name", "organization", "claim.value", "centre-a", "jsonType.label", "String",
            "access.token.claim", "true", "id.token.claim", "false", "userinfo.token.claim", "false",
            "introspection.token.claim", "true"))));
    keycloak.admin("POST", "/" + REALM + "/clients", client);
  }

  private static RSAKey newKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS384).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A SMART Backend Services client assertion for Keycloak's token endpoint, signed RS384 by {@code key}. */
  private static String clientAssertion(RSAKey key) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT)
        .audience(keycloak.tokenEndpoint(REALM)).jwtID(UUID.randomUUID().toString())
        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(240))).build();
    return sign(key, claims);
  }

  private static String sign(RSAKey key, JWTClaimsSet claims) {
    try {
      JWSAlgorithm alg = key.getAlgorithm() == null ? JWSAlgorithm.RS256 : (JWSAlgorithm) key.getAlgorithm();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keycloak's answer to a client_credentials request with a client assertion signed by {@code key}. */
  private static KeycloakServer.Answer tokenRequest(RSAKey key, String scope) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (scope != null) {
      form.put("scope", scope);
    }
    form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.put("client_assertion", clientAssertion(key));
    return keycloak.form(keycloak.tokenEndpoint(REALM), form);
  }

  /** A token of the HIS from Keycloak: the default scopes, and {@code scope} if not null. */
  private static String token(String scope) {
    KeycloakServer.Answer a = tokenRequest(CLIENT_KEY, scope);
    assertThat(a.status()).as("Keycloak's answer %s", a.body()).isEqualTo(200);
    return a.body().get("access_token").asText();
  }

  private static JWTClaimsSet claims(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet();
  }

  private static RequestSpecification fhir(String token) {
    RequestSpecification r = RestAssured.given().port(port).basePath("/fhir").accept("application/fhir+json")
        .contentType("application/fhir+json");
    return token == null ? r : r.header("Authorization", "Bearer " + token);
  }

  @Test
  void keycloakIssuesTheClientATokenWithItsSmartScopesAndItsOrganisation() throws Exception {
    JWTClaimsSet t = claims(token(null));
    assertThat(t.getIssuer()).isEqualTo(keycloak.issuer(REALM));
    // a service-account token: the client in client_id and azp, the subject its service-account user
    assertThat(t.getStringClaim("client_id")).isEqualTo(CLIENT);
    assertThat(t.getStringClaim("azp")).isEqualTo(CLIENT);
    assertThat(t.getSubject()).isNotEqualTo(CLIENT);
    assertThat(t.getStringClaim("organization")).isEqualTo("centre-a");
    assertThat(Set.of(t.getStringClaim("scope").split(" "))).containsExactlyInAnyOrderElementsOf(DEFAULT_SCOPES);

    JWTClaimsSet withOptional = claims(token(OPTIONAL_SCOPE));
    assertThat(Set.of(withOptional.getStringClaim("scope").split(" ")))
        .containsExactlyInAnyOrder("system/Patient.cruds", "system/ServiceRequest.cruds", OPTIONAL_SCOPE);

    // a scope of the realm the client is not given
    KeycloakServer.Answer wider = tokenRequest(CLIENT_KEY, OTHER_SCOPE);
    assertThat(wider.body().path("error").asText()).isEqualTo("invalid_scope");
    // private_key_jwt for real: an assertion signed by a key that is not the client's
    KeycloakServer.Answer stranger = tokenRequest(newKey("stranger"), null);
    assertThat(stranger.body().path("error").asText()).isEqualTo("invalid_client");
    assertThat(stranger.body().has("access_token")).isFalse();
  }

  @Test
  void radBridgeAllowsWhatTheKeycloakTokensScopesNameAndNothingElse() {
    String token = token(null);
    String id = fhir(token).body("{\"resourceType\":\"Patient\",\"active\":true}").post("/Patient")
        .then().statusCode(201).extract().path("id");
    fhir(token).get("/Patient/" + id).then().statusCode(200).body("id", equalTo(id));
    fhir(token).get("/Patient?_id=" + id).then().statusCode(200).body("entry[0].resource.id", equalTo(id));
    // beyond the token's scopes
    fhir(token).get("/Observation").then().statusCode(403).body("issue[0].code", equalTo("forbidden"))
        .body("issue[0].diagnostics", containsString("system/Observation.s"));
    fhir(token).body("{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"CT\"}}")
        .post("/DiagnosticReport").then().statusCode(403)
        .body("issue[0].diagnostics", containsString("system/DiagnosticReport.c"));
    RestAssured.given().port(port).header("Authorization", "Bearer " + token).get("/admin/outbox")
        .then().statusCode(403);

    // the optional scope, asked for: Observations may be searched, still not written
    String reader = token(OPTIONAL_SCOPE);
    fhir(reader).get("/Observation").then().statusCode(200).body("resourceType", equalTo("Bundle"));
    fhir(reader).body("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}")
        .post("/Observation").then().statusCode(403).body("issue[0].diagnostics", containsString("system/Observation.c"));
  }

  @Test
  void theCallerActsForTheOrganisationOfKeycloaksClaim() {
    String token = token(null);
    String patient = fhir(token).body("{\"resourceType\":\"Patient\",\"active\":true}").post("/Patient")
        .then().statusCode(201).extract().path("id");
    // an imaging order without an accession number: RadBridge numbers it in the caller's organisation
    String order = fhir(token).body("""
        {"resourceType":"ServiceRequest","status":"active","intent":"order",
         "subject":{"reference":"Patient/%s"},
         "performerType":{"coding":[{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"}]}}"""
            .formatted(patient)).post("/ServiceRequest").then().statusCode(201).extract().path("id");
    JsonPath sr = fhir(token).get("/ServiceRequest/" + order).then().statusCode(200).extract().jsonPath();
    assertThat(sr.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.system"))
        .isEqualTo("https://radbridge.org/fhir/sid/centre-a/accession");
    assertThat(sr.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value"))
        .startsWith("CA");
  }

  @Test
  void theSmartConfigurationSendsClientsToKeycloak() {
    JsonPath smart = RestAssured.given().port(port).get("/.well-known/smart-configuration")
        .then().statusCode(200).extract().jsonPath();
    assertThat(smart.getString("issuer")).isEqualTo(keycloak.issuer(REALM));
    assertThat(smart.getString("token_endpoint")).isEqualTo(keycloak.tokenEndpoint(REALM));
    JsonPath cs = fhir(null).get("/metadata").then().statusCode(200).extract().jsonPath();
    assertThat(cs.getString("rest[0].security.extension[0].extension[0].valueUri"))
        .isEqualTo(keycloak.tokenEndpoint(REALM));
  }

  @Test
  void tokensTheRealmDidNotSignAreRefused() throws Exception {
    String good = token(null);
    fhir(good).get("/Patient").then().statusCode(200);
    fhir(null).get("/Patient").then().statusCode(401);

    // the built-in authorization server is off: no token endpoint, no keys (401 like any path without a token)
    KeycloakServer.Answer builtIn = keycloak.form("http://127.0.0.1:" + port + "/oauth2/token", Map.of(
        "grant_type", "client_credentials", "scope", "system/Patient.rs",
        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion", TestTokens.clientAssertion(port, TestTokens.READER_ID, TestTokens.READER_KEY)));
    assertThat(builtIn.status()).isEqualTo(401);
    assertThat(builtIn.body().has("access_token")).isFalse();
    RestAssured.given().port(port).get("/oauth2/jwks").then().statusCode(401);
    // with a valid token, the paths of the built-in server are no FHIR endpoint either
    RestAssured.given().port(port).header("Authorization", "Bearer " + good).get("/oauth2/jwks")
        .then().statusCode(org.hamcrest.Matchers.not(200));

    // a token Keycloak signed, but for its master realm (another issuer, other keys)
    fhir(keycloak.adminToken()).get("/Patient").then().statusCode(401)
        .header("WWW-Authenticate", containsString("invalid_token"));

    // the good token's claims, widened, signed by another key: once under Keycloak's key id, once without
    JWTClaimsSet real = claims(good);
    JWTClaimsSet forged = new JWTClaimsSet.Builder(real).claim("scope", "system/*.cruds radbridge/admin")
        .jwtID(UUID.randomUUID().toString()).build();
    String keycloaksKid = SignedJWT.parse(good).getHeader().getKeyID();
    RSAKey other = new RSAKeyGenerator(2048).keyID(keycloaksKid).algorithm(JWSAlgorithm.RS256).generate();
    fhir(sign(other, forged)).get("/Patient").then().statusCode(401);
    RSAKey unknown = new RSAKeyGenerator(2048).keyID("unknown").algorithm(JWSAlgorithm.RS256).generate();
    fhir(sign(unknown, forged)).get("/Patient").then().statusCode(401);
    // what the built-in server's tokens look like (its own origin as issuer, the client in sub)
    JWTClaimsSet builtInShape = new JWTClaimsSet.Builder().issuer("http://127.0.0.1:" + port)
        .subject(TestTokens.CLIENT_ID).claim("client_id", TestTokens.CLIENT_ID).claim("scope", TestTokens.ALL_SCOPES)
        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
    fhir(sign(unknown, builtInShape)).get("/Patient").then().statusCode(401);

    // the good one still works
    fhir(good).get("/Patient").then().statusCode(200);
  }
}
