package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;

/**
 * People log in the OpenID Connect way: authorization code with PKCE through the console client,
 * the login form of the built-in authorization server, a token that carries their organisation and
 * is bounded by their role. Driven over real HTTP as a browser would (cookies, redirects one by one).
 */
class PeopleLoginTest extends ServerTestBase {
  private ConsoleLogin.Login login(String user, String password, String scope) throws Exception {
    return ConsoleLogin.login(port, user, password, scope);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Test
  void aViewerLogsInWithPkceAndReadsButDoesNotWrite() throws Exception {
    ConsoleLogin.Login login = login(TestTokens.VIEWER, TestTokens.PASSWORD, "openid user/*.rs");
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
    ConsoleLogin.Login beyond = login(TestTokens.VIEWER, TestTokens.PASSWORD, "openid user/*.cruds");
    assertThat(beyond.location()).contains("error=invalid_scope");
    assertThat(beyond.token()).isNull();
    ConsoleLogin.Login wrong = login(TestTokens.CLINICIAN, "not the password", "openid user/*.cruds");
    assertThat(wrong.location()).contains("/login?error");
    ConsoleLogin.Login clinician = login(TestTokens.CLINICIAN, TestTokens.PASSWORD, "openid user/*.cruds");
    assertThat(clinician.status()).isEqualTo(200);
    assertThat(clinician.token().get("scope").asText()).contains("user/*.cruds");
  }
}
