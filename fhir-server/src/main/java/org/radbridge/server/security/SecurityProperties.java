package org.radbridge.server.security;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code radbridge.security}: who may call, and who says so (README "Security"). */
@ConfigurationProperties(prefix = "radbridge.security")
@Validated
public class SecurityProperties {
  /**
   * Whether every request needs a bearer token. false is for benchmarks and local experiments only:
   * it is logged at every start and refused unless every listener binds to a loopback address.
   */
  private final boolean enabled;
  /**
   * An external OpenID Connect issuer whose tokens are accepted (Keycloak or any other); empty:
   * RadBridge is its own authorization server.
   */
  private final String issuerUri;
  /** The token claim that names the organisation (its key in radbridge.network) a client acts for. */
  @NotBlank private final String organizationClaim;
  /** Lifetime of the access tokens the built-in authorization server issues (SMART Backend Services: at most 5 minutes). */
  private final Duration tokenLifetime;
  /** People who log in (the console, the viewer): username, password ({bcrypt}… hash), role (viewer, clinician, admin) and organisation. */
  @jakarta.validation.Valid private final java.util.List<User> users;
  /** Where the console may be sent back after a login (its OAuth2 redirect URIs). */
  private final java.util.List<String> consoleRedirectUris;
  /** Give the bootstrap administrator client a new secret at this start, written to <data-dir>/admin-client.json (a lost secret). */
  private final boolean resetAdminSecret;

  public SecurityProperties(@DefaultValue("true") boolean enabled,
      @DefaultValue("") String issuerUri,
      @DefaultValue("organization") String organizationClaim,
      @DefaultValue("5m") Duration tokenLifetime,
      @DefaultValue("false") boolean resetAdminSecret,
      java.util.List<User> users,
      java.util.List<String> consoleRedirectUris) {
    this.resetAdminSecret = resetAdminSecret;
    this.users = users == null ? java.util.List.of() : java.util.List.copyOf(users);
    this.consoleRedirectUris = consoleRedirectUris == null ? java.util.List.of() : java.util.List.copyOf(consoleRedirectUris);
    if (tokenLifetime.isNegative() || tokenLifetime.isZero() || tokenLifetime.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("radbridge.security.token-lifetime must be between 1s and 1h, not "
          + tokenLifetime);
    }
    this.enabled = enabled;
    this.issuerUri = issuerUri;
    this.organizationClaim = organizationClaim;
    this.tokenLifetime = tokenLifetime;
  }

  public boolean isEnabled() { return enabled; }
  public String getIssuerUri() { return issuerUri; }
  public String getOrganizationClaim() { return organizationClaim; }
  public Duration getTokenLifetime() { return tokenLifetime; }
  public boolean isResetAdminSecret() { return resetAdminSecret; }
  public java.util.List<User> getUsers() { return users; }
  public java.util.List<String> getConsoleRedirectUris() { return consoleRedirectUris; }

  public static class User {
    /** The name a person logs in with. */
    @NotBlank private final String username;
    /** Its password as a Spring Security encoded hash ({bcrypt}$2a$…; {noop}… only for experiments). */
    @NotBlank private final String password;
    /** viewer (read and search), clinician (read and write) or admin (everything, the directory included). */
    @jakarta.validation.constraints.Pattern(regexp = "viewer|clinician|admin") private final String role;
    /** Key of the organisation the person works for (none only for an admin). */
    private final String organization;

    public User(String username, String password, @DefaultValue("viewer") String role, String organization) {
      this.username = username;
      this.password = password;
      this.role = role;
      this.organization = organization;
    }

    public String getUsername() { return username; }
    public String getPassword() { return password; }
    public String getRole() { return role; }
    public String getOrganization() { return organization; }
  }

  /** Whether RadBridge issues the tokens itself. */
  public boolean isBuiltInIssuer() {
    return issuerUri == null || issuerUri.isBlank();
  }
}
