package org.radbridge.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.filter.Filter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The tests' one way to a bearer token: a SMART Backend Services client ({@value #CLIENT_ID},
 * registered on every test node with the public half of a key made for this test run) signs a
 * client assertion (RS384) and asks the node's own token endpoint — a real {@code client_credentials}
 * grant, as a system integrating with RadBridge would. Tokens are kept per node until shortly
 * before they expire. {@link #restAssured()} adds one to every REST Assured request that has no
 * Authorization header of its own.
 */
public final class TestTokens {
  public static final String CLIENT_ID = "test-admin";
  public static final String ALL_SCOPES = "system/*.cruds radbridge/admin";
  private static final RSAKey KEY = newKey();
  /** A second client, of centre A, that may only read and search Patients and read Observations. */
  public static final String READER_ID = "test-reader";
  public static final RSAKey READER_KEY = newKey();
  private static final Map<String, Cached> TOKENS = new HashMap<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Cached(String token, Instant expires) {}

  private TestTokens() {}

  private static RSAKey newKey() {
    try {
      return new RSAKeyGenerator(2048).keyID("test-" + UUID.randomUUID()).algorithm(JWSAlgorithm.RS384).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test client's registration (radbridge.network.* without the prefix), for every test node. */
  public static String[][] clientSettings() {
    return new String[][] {
        {"clients[0].client-id", CLIENT_ID},
        {"clients[0].scopes[0]", "system/*.cruds"}, {"clients[0].scopes[1]", "radbridge/admin"},
        {"clients[0].scopes[2]", "radbridge/audit"},
        {"clients[0].jwks", new JWKSet(KEY.toPublicJWK()).toString()},
        {"clients[1].client-id", READER_ID}, {"clients[1].organization", "centre-a"},
        {"clients[1].scopes[0]", "system/Patient.rs"}, {"clients[1].scopes[1]", "system/Observation.read"},
        {"clients[1].jwks", new JWKSet(READER_KEY.toPublicJWK()).toString()},
        // one read-only system client per organisation (OrganisationScopingTest), with the test key
        {"clients[2].client-id", "centre-a-sys"}, {"clients[2].organization", "centre-a"},
        {"clients[2].scopes[0]", "system/*.cruds"},
        {"clients[2].jwks", new JWKSet(KEY.toPublicJWK()).toString()},
        {"clients[3].client-id", "centre-b-sys"}, {"clients[3].organization", "centre-b"},
        {"clients[3].scopes[0]", "system/*.rs"}, {"clients[3].jwks", new JWKSet(KEY.toPublicJWK()).toString()},
        {"clients[4].client-id", "city-hospital-sys"}, {"clients[4].organization", "city-hospital"},
        {"clients[4].scopes[0]", "system/*.cruds"}, {"clients[4].jwks", new JWKSet(KEY.toPublicJWK()).toString()},
        {"clients[5].client-id", "north-hospital-sys"}, {"clients[5].organization", "north-hospital"},
        {"clients[5].scopes[0]", "system/*.rs"}, {"clients[5].jwks", new JWKSet(KEY.toPublicJWK()).toString()},
        {"clients[6].client-id", "regional-exchange-sys"}, {"clients[6].organization", "regional-exchange"},
        // the exchange may be registered with write scopes: it still writes nothing but its Subscriptions
        {"clients[6].scopes[0]", "system/*.rs"}, {"clients[6].scopes[1]", "system/Patient.cruds"},
        {"clients[6].scopes[2]", "system/Subscription.cruds"},
        {"clients[6].jwks", new JWKSet(KEY.toPublicJWK()).toString()}};
  }

  /** A viewer of centre A and a clinician of City Hospital, and where the console is sent back to. */
  public static final String VIEWER = "vera";
  public static final String CLINICIAN = "carl";
  public static final String PASSWORD = "correct horse battery staple";
  public static final String CONSOLE_REDIRECT = "http://127.0.0.1:9/console/callback";
  private static final String PASSWORD_HASH = "{bcrypt}"
      + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder().encode(PASSWORD);

  /** radbridge.security.* (without the prefix) for the test people. */
  public static String[][] peopleSettings() {
    return new String[][] {
        {"users[0].username", VIEWER}, {"users[0].password", PASSWORD_HASH}, {"users[0].role", "viewer"},
        {"users[0].organization", "centre-a"},
        {"users[1].username", CLINICIAN}, {"users[1].password", PASSWORD_HASH}, {"users[1].role", "clinician"},
        {"users[1].organization", "city-hospital"},
        {"console-redirect-uris[0]", CONSOLE_REDIRECT}};
  }

  /** A read-only token ({@code system/*.rs}) of the organisation's system client ({@code <org>-sys}). */
  public static String orgReader(int port, String orgKey) {
    return "Bearer " + token(port, orgKey + "-sys", KEY, "system/*.rs");
  }

  /** A token of the organisation's system client with the scopes asked for. */
  public static String orgToken(int port, String orgKey, String scopes) {
    return "Bearer " + token(port, orgKey + "-sys", KEY, scopes);
  }

  /** The test administrator client's key (a token of that client with other scopes). */
  public static RSAKey key() {
    return KEY;
  }

  /** A token with every scope from the node on {@code port}. */
  public static String token(int port) {
    return token(port, CLIENT_ID, KEY, ALL_SCOPES);
  }

  /** A token from the node on {@code port} for a client with its own key and the scopes asked for. */
  public static synchronized String token(int port, String clientId, RSAKey key, String scopes) {
    String cacheKey = port + " " + clientId + " " + scopes + " " + key.getKeyID();
    Cached c = TOKENS.get(cacheKey);
    if (c != null && c.expires().isAfter(Instant.now().plusSeconds(60))) {
      return c.token();
    }
    JsonNode answer = requestToken(port, clientAssertion(port, clientId, key), scopes);
    if (!answer.hasNonNull("access_token")) {
      throw new IllegalStateException("no token from port " + port + ": " + answer);
    }
    Cached fresh = new Cached(answer.get("access_token").asText(),
        Instant.now().plusSeconds(answer.path("expires_in").asLong(60)));
    TOKENS.put(cacheKey, fresh);
    return fresh.token();
  }

  /** A SMART Backend Services client assertion for the node on {@code port}, signed RS384. */
  public static String clientAssertion(int port, String clientId, RSAKey key) {
    try {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId)
          .audience("http://127.0.0.1:" + port + "/oauth2/token").jwtID(UUID.randomUUID().toString())
          .expirationTime(Date.from(Instant.now().plusSeconds(240))).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs a client_credentials request with the assertion; the token endpoint's JSON answer (error or token). */
  public static JsonNode requestToken(int port, String assertion, String scopes) {
    String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(scopes, StandardCharsets.UTF_8)
        + "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            StandardCharsets.UTF_8) + "&client_assertion=" + assertion;
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
      return new ObjectMapper().readTree(r.body().isEmpty() ? "{}" : r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** "Authorization: Bearer …" for raw HTTP clients. */
  public static String authorization(int port) {
    return "Bearer " + token(port);
  }

  /**
   * Adds the bearer token of the request's node to every REST Assured request without an
   * Authorization header; a test that means to send none sets the header {@code X-Test-No-Token}.
   */
  private static boolean installed;

  /** Adds {@link #restAssured()} to REST Assured's global filters, once per JVM. */
  public static synchronized void installRestAssuredFilter() {
    if (!installed) {
      io.restassured.RestAssured.filters(restAssured());
      installed = true;
    }
  }

  public static Filter restAssured() {
    return (request, response, ctx) -> {
      if (request.getHeaders().hasHeaderWithName("X-Test-No-Token")) {
        request.removeHeader("X-Test-No-Token");
      } else if (!request.getHeaders().hasHeaderWithName("Authorization")
          && !request.getURI().contains("/oauth2/")) {
        request.header("Authorization", authorization(request.getPort()));
      }
      return ctx.next(request, response);
    };
  }
}
