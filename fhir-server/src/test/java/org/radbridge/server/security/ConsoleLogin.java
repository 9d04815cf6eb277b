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
import org.radbridge.server.TestTokens;

/**
 * A person's login through the console client as a browser does it (authorization code with
 * PKCE, the login form with its CSRF token, cookies, redirects one by one) against a test node.
 */
final class ConsoleLogin {
  private ConsoleLogin() {}

  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  record Login(int status, String location, JsonNode token) {}

  private static String url(int port, String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The browser's round trip from the authorization request to the code's exchange. */
  static Login login(int port, String user, String password, String scope) throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String authorize = url(port, "/oauth2/authorize?response_type=code&client_id=radbridge-console&redirect_uri="
        + enc(TestTokens.CONSOLE_REDIRECT) + "&scope=" + enc(scope) + "&state=st8&code_challenge=" + challenge
        + "&code_challenge_method=S256");
    HttpResponse<String> r = get(browser, authorize);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(location(port, r)).endsWith("/login");
    HttpResponse<String> page = get(browser, url(port, "/login"));
    Matcher csrf = CSRF.matcher(page.body());
    assertThat(csrf.find()).as("the login form has a CSRF token: %s", page.body()).isTrue();
    r = browser.send(HttpRequest.newBuilder(URI.create(url(port, "/login")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(user) + "&password=" + enc(password)
            + "&_csrf=" + enc(csrf.group(1)))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    if (location(port, r).contains("/login?error")) {
      return new Login(401, location(port, r), null);
    }
    r = get(browser, location(port, r)); // back to the authorization request, now logged in
    assertThat(r.statusCode()).isEqualTo(302);
    String back = location(port, r);
    assertThat(back).startsWith(TestTokens.CONSOLE_REDIRECT).contains("state=st8");
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(back);
    if (!code.find()) {
      return new Login(302, back, null);
    }
    HttpResponse<String> token = browser.send(HttpRequest.newBuilder(URI.create(url(port, "/oauth2/token")))
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

  private static String location(int port, HttpResponse<String> r) {
    String l = r.headers().firstValue("Location").orElseThrow();
    return l.startsWith("/") ? url(port, l) : l;
  }

}
