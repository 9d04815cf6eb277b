package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.radbridge.server.write.Caller;
import org.springframework.security.oauth2.jwt.Jwt;

/** Who a token's claims make the caller: a system client or a person, and its organisation. */
class RestCallersTest {
  private final RestCallers callers = new RestCallers(new SecurityProperties(true, "http://issuer.example/realms/r",
      "organization", Duration.ofMinutes(5), false, null, null),
      new org.radbridge.server.network.NetworkProperties(null, null, null, null, null, null), null);

  private static Jwt token(Map<String, Object> claims) {
    Jwt.Builder b = Jwt.withTokenValue("t").header("alg", "RS256").issuedAt(Instant.now())
        .expiresAt(Instant.now().plusSeconds(300));
    claims.forEach(b::claim);
    return b.build();
  }

  @Test
  void aBuiltInClientTokenIsItsClient() {
    Caller c = callers.of(token(Map.of("sub", "test-reader", "client_id", "test-reader",
        "scope", "system/Patient.rs", "organization", "centre-a")));
    assertThat(c).isEqualTo(Caller.client("test-reader", "centre-a", java.util.Set.of("system/Patient.rs")));
  }

  @Test
  void aKeycloakServiceAccountTokenIsItsClientNotAPerson() {
    // what Keycloak 26 issues for client_credentials: sub is the service-account user's id
    Caller c = callers.of(token(Map.of("sub", "e81b2499-e539-41bb-a116-dd79bd11a53c", "azp", "centre-a-his",
        "client_id", "centre-a-his", "scope", "system/Patient.rs system/Observation.rs",
        "organization", "centre-a")));
    assertThat(c.kind()).isEqualTo(Caller.Kind.CLIENT);
    assertThat(c.name()).isEqualTo("centre-a-his");
    assertThat(c.organization()).isEqualTo("centre-a");
    assertThat(c.scopes()).containsExactlyInAnyOrder("system/Patient.rs", "system/Observation.rs");
  }

  @Test
  void aPersonsTokenIsThePerson() {
    // the built-in server's login through the console
    Caller builtIn = callers.of(token(Map.of("sub", "vera", "client_id", "radbridge-console",
        "scope", "openid user/*.rs", "organization", "centre-a", "role", "viewer")));
    assertThat(builtIn).isEqualTo(Caller.user("vera", "centre-a", java.util.Set.of("openid", "user/*.rs")));
    // a Keycloak login: no client_id claim, the client in azp
    Caller keycloak = callers.of(token(Map.of("sub", "0b5e7f52-3c1d-4bc4-9d1e-6f2f1f3f2a10", "azp", "radbridge-console",
        "scope", "openid user/*.cruds", "organization", "city-hospital")));
    assertThat(keycloak.kind()).isEqualTo(Caller.Kind.USER);
    assertThat(keycloak.name()).isEqualTo("0b5e7f52-3c1d-4bc4-9d1e-6f2f1f3f2a10");
    assertThat(keycloak.organization()).isEqualTo("city-hospital");
  }
}
