package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * People log in the OpenID Connect way: authorization code with PKCE through the console client,
 * the login form of the built-in authorization server, a token that carries their organisation and
 * is bounded by their role. Driven over real HTTP as a browser would (cookies, redirects one by one).
 */
class PeopleLoginTest extends ServerTestBase {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  private record Login(int status, String location, JsonNode token) {}

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The browser's round trip from the authorization request to the code's exchange. */
  private Login login(String user, String password, String scope) throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String authorize = url("/oauth2/authorize?response_type=code&client_id=radbridge-console&redirect_uri="
        + enc(TestTokens.CONSOLE_REDIRECT) + "&scope=" + enc(scope) + "&state=st8&code_challenge=" + challenge
        + "&code_challenge_method=S256");
    HttpResponse<String> r = get(browser, authorize);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(location(r)).endsWith("/login");
    HttpResponse<String> page = get(browser, url("/login"));
    Matcher csrf = CSRF.matcher(page.body());
    assertThat(csrf.find()).as("the login form has a CSRF token: %s", page.body()).isTrue();
    r = browser.send(HttpRequest.newBuilder(URI.create(url("/login")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(user) + "&password=" + enc(password)
            + "&_csrf=" + enc(csrf.group(1)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    if (location(r).contains("/login?error")) {
      return new Login(401, location(r), null);
    }
    r = get(browser, location(r)); // back to the authorization request, now logged in
    assertThat(r.statusCode()).isEqualTo(302);
    String back = location(r);
    assertThat(back).startsWith(TestTokens.CONSOLE_REDIRECT).contains("state=st8");
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(back);
    if (!code.find()) {
      return new Login(302, back, null);
    }
    HttpResponse<String> token = browser.send(HttpRequest.newBuilder(URI.create(url("/oauth2/token")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + code.group(1)
            + "&redirect_uri=" + enc(TestTokens.CONSOLE_REDIRECT) + "&client_id=radbridge-console&code_verifier="
            + verifier)).build(), HttpResponse.BodyHandlers.ofString());
    return new Login(token.statusCode(), back, new ObjectMapper().readTree(token.body()));
  }

  private static HttpResponse<String> get(HttpClient browser, String url) throws Exception {
    return browser.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String location(HttpResponse<String> r) {
    String l = r.headers().firstValue("Location").orElseThrow();
    return l.startsWith("/") ? url(l) : l;
  }

  @Test
  void aViewerLogsInWithPkceAndReadsButDoesNotWrite() throws Exception {
    Login login = login(TestTokens.VIEWER, TestTokens.PASSWORD, "openid user/*.rs");
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.token().has("id_token")).isTrue();
    String access = login.token().get("access_token").asText();
    String claims = new String(Base64.getUrlDecoder().decode(access.split("\\.")[1]), StandardCharsets.UTF_8);
    assertThat(claims).contains("\"sub\":\"vera\"").contains("\"organization\":\"centre-a\"")
        .contains("\"role\":\"viewer\"");
    HttpClient api = HttpClient.newHttpClient();
    HttpResponse<String> read = api.send(HttpRequest.newBuilder(URI.create(url("/fhir/Patient?_count=1")))
        .header("Authorization", "Bearer " + access).header("Accept", "application/fhir+json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).isEqualTo(200);
    HttpResponse<String> write = api.send(HttpRequest.newBuilder(URI.create(url("/fhir/Patient")))
        .header("Authorization", "Bearer " + access).header("Content-Type", "application/fhir+json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(write.statusCode()).isEqualTo(403);
    assertThat(write.body()).contains("Patient.c");
  }

  @Test
  void aLoginIsBoundedByTheRoleAndAWrongPasswordGetsNothing() throws Exception {
    Login beyond = login(TestTokens.VIEWER, TestTokens.PASSWORD, "openid user/*.cruds");
    assertThat(beyond.location()).contains("error=invalid_scope");
    assertThat(beyond.token()).isNull();
    Login wrong = login(TestTokens.CLINICIAN, "not the password", "openid user/*.cruds");
    assertThat(wrong.location()).contains("/login?error");
    Login clinician = login(TestTokens.CLINICIAN, TestTokens.PASSWORD, "openid user/*.cruds");
    assertThat(clinician.status()).isEqualTo(200);
    assertThat(clinician.token().get("scope").asText()).contains("user/*.cruds");
  }
}
