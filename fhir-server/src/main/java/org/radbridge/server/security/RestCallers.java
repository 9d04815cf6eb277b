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
  /** Request attribute: the Authentication a 403 of the filter chain refused (for the audit trail). */
  public static final String REFUSED_AUTHENTICATION = "radbridge.refused-authentication";
  private static final Caller UNSECURED = Caller.client("anonymous", null, Set.copyOf(SmartScopes.EVERYTHING));
  private final SecurityProperties props;
  /** The organisations of kind exchange: they read across the network (what their scopes name). */
  private final java.util.Set<String> exchanges;

  private final BreakGlassSessions breakGlass;

  public RestCallers(SecurityProperties props, org.radbridge.server.network.NetworkProperties network,
      BreakGlassSessions breakGlass) {
    this.props = props;
    this.breakGlass = breakGlass;
    this.exchanges = network.getOrganizations().stream().filter(o -> "exchange".equals(o.getKind()))
        .map(org.radbridge.server.network.NetworkProperties.Org::getKey)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /**
   * What the current request's caller may read, for the read SQL: everything for an administrator
   * and the regional exchange; else what its organisation (and every organisation) may read. Work
   * of the server's own — no request, no token — reads everything.
   */
  public org.radbridge.server.store.Visibility visibility() {
    if (!props.isEnabled()
        || !(SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token)) {
      return org.radbridge.server.store.Visibility.EVERYTHING;
    }
    return visibilityOf(requestCaller(token));
  }

  /**
   * What the principal of a websocket session (its handshake's token) may read: a socket may
   * outlive a break-glass session, so never more than the organisation's.
   */
  public org.radbridge.server.store.Visibility visibilityOf(java.security.Principal principal) {
    if (!props.isEnabled()) {
      return org.radbridge.server.store.Visibility.EVERYTHING;
    }
    return principal instanceof JwtAuthenticationToken token ? visibilityOf(of(token.getToken()).withoutBreakGlass())
        : org.radbridge.server.store.Visibility.of(null);
  }

  /**
   * What a caller may read: everything for an administrator, the exchange, the server itself and a
   * person in a break-glass session;
   * else what its organisation (and every organisation) may read. DICOM nodes and HL7 applications
   * read as their organisation.
   */
  public org.radbridge.server.store.Visibility visibilityOf(Caller c) {
    if (!props.isEnabled() || c.kind() == Caller.Kind.SYSTEM || c.breakGlass() != null || SmartScopes.of(c.scopes()).isAdmin()
        || c.organization() != null && exchanges.contains(c.organization())) {
      return org.radbridge.server.store.Visibility.EVERYTHING;
    }
    return org.radbridge.server.store.Visibility.of(c.organization());
  }

  /** Whether the organisation is of kind exchange: it reads across the network and writes only its Subscriptions. */
  public boolean isExchange(String organization) {
    return organization != null && exchanges.contains(organization);
  }

  public Caller current() {
    if (!props.isEnabled()) {
      return UNSECURED;
    }
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof JwtAuthenticationToken token) {
      return requestCaller(token);
    }
    // the filter chain lets no unauthenticated request through to a handler that asks
    throw new IllegalStateException("no authenticated caller for this request");
  }

  /** The current request's caller, or null when it has none (an open path, or the server's own work). */
  public Caller currentOrNull() {
    if (!props.isEnabled()) {
      return UNSECURED;
    }
    return SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token
        ? requestCaller(token) : null;
  }

  /**
   * The caller of the current HTTP request, worked out from its token once per request (filters, the
   * read, the scope checks and the audit all ask) and kept in a request attribute beside its token.
   */
  private Caller requestCaller(JwtAuthenticationToken token) {
    if (!(org.springframework.web.context.request.RequestContextHolder.getRequestAttributes()
        instanceof org.springframework.web.context.request.ServletRequestAttributes a)) {
      return of(token.getToken());
    }
    jakarta.servlet.http.HttpServletRequest request = a.getRequest();
    if (request.getAttribute(CALLER) instanceof CallerOfToken known && known.token() == token) {
      return known.caller();
    }
    Caller caller = of(token.getToken()).from(request.getRemoteAddr());
    request.setAttribute(CALLER, new CallerOfToken(token, caller));
    return caller;
  }

  private static final String CALLER = "radbridge.caller";

  /** A request's caller and the authentication it was worked out from (a new one is worked out anew). */
  private record CallerOfToken(JwtAuthenticationToken token, Caller caller) {}

  /** The caller of an Authentication kept from a request (a refused one, for the audit trail); null if none. */
  public Caller callerOf(Object authentication) {
    return authentication instanceof JwtAuthenticationToken token ? of(token.getToken()) : null;
  }

  Caller of(Jwt jwt) {
    String client = firstOf(jwt, "client_id", "azp", "sub");
    String org = jwt.getClaimAsString(props.getOrganizationClaim());
    org = org == null || org.isBlank() ? null : org;
    Object scope = jwt.hasClaim("scope") ? jwt.getClaim("scope") : jwt.getClaim("scp");
    java.util.Set<String> scopes = SmartScopes.ofClaim(scope).asSet();
    String subject = jwt.getSubject();
    if (subject != null && client != null && !subject.equals(client) && !systemScoped(scopes)) {
      Caller person = Caller.user(subject, org, scopes); // a person, logged in through the client
      if (scopes.contains(SmartScopes.BREAK_GLASS) && breakGlass != null) {
        return breakGlass.of(jwt.getTokenValue(), jwt.getExpiresAt()).map(person::inBreakGlass).orElse(person);
      }
      return person;
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
