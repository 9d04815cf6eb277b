package org.radbridge.server.security;

import java.util.Set;
import org.radbridge.server.write.Caller;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * The caller of the current HTTP request, from its bearer token: the client ({@code client_id},
 * else {@code azp}, else {@code sub}), the organisation it acts for (the claim
 * {@code radbridge.security.organization-claim} names) and its SMART scopes. A token whose subject
 * is not its client and that grants no {@code system/} scope is a person's, logged in through the
 * client. With security off, every request is an anonymous caller that may do everything.
 */
@Component
public class RestCallers {
  private static final Caller UNSECURED = Caller.client("anonymous", null, Set.copyOf(SmartScopes.EVERYTHING));
  private final SecurityProperties props;

  public RestCallers(SecurityProperties props) {
    this.props = props;
  }

  public Caller current() {
    if (!props.isEnabled()) {
      return UNSECURED;
    }
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof JwtAuthenticationToken token) {
      return of(token.getToken());
    }
    // the filter chain lets no unauthenticated request through to a handler that asks
    throw new IllegalStateException("no authenticated caller for this request");
  }

  Caller of(Jwt jwt) {
    String client = firstOf(jwt, "client_id", "azp", "sub");
    String org = jwt.getClaimAsString(props.getOrganizationClaim());
    org = org == null || org.isBlank() ? null : org;
    Object scope = jwt.hasClaim("scope") ? jwt.getClaim("scope") : jwt.getClaim("scp");
    java.util.Set<String> scopes = SmartScopes.ofClaim(scope).asSet();
    String subject = jwt.getSubject();
    if (subject != null && client != null && !subject.equals(client) && !systemScoped(scopes)) {
      return Caller.user(subject, org, scopes); // a person, logged in through the client
    }
    return Caller.client(client == null ? "unnamed" : client, org, scopes);
  }

  /**
   * Whether the token grants SMART {@code system/} scopes, which only a system acting for itself
   * gets (SMART Backend Services; a person's login is granted {@code user/} scopes). Such a token is
   * its client's even when its subject is not the client id: Keycloak issues a client-credentials
   * token for the client's service-account user, {@code sub} that user's id (a UUID) and the client
   * in {@code client_id} and {@code azp} — not a person logged in through the client.
   */
  private static boolean systemScoped(Set<String> scopes) {
    return scopes.stream().anyMatch(s -> s.startsWith("system/"));
  }

  private static String firstOf(Jwt jwt, String... claims) {
    for (String c : claims) {
      String v = jwt.getClaimAsString(c);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
