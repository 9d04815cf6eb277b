package org.radbridge.server.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * The people who log in to the built-in authorization server ({@code radbridge.security.users}):
 * each has a role, which bounds the scopes a login may grant, and an organisation, which their
 * tokens carry like a system client's.
 */
final class UserAccounts implements UserDetailsService {
  /** What each role may be granted; a login asks for a subset (SMART user scopes). */
  static final Map<String, List<String>> ROLE_SCOPES = Map.of(
      "viewer", List.of("user/*.rs"),
      "clinician", List.of("user/*.cruds", SmartScopes.BREAK_GLASS),
      "admin", List.of("user/*.cruds", SmartScopes.ADMIN, SmartScopes.BREAK_GLASS, SmartScopes.AUDIT));
  /** Every scope the console client may ask for: openid and the union of the roles'. */
  static final Set<String> CONSOLE_SCOPES = Set.of("openid", "user/*.rs", "user/*.cruds", SmartScopes.ADMIN,
      SmartScopes.BREAK_GLASS, SmartScopes.AUDIT);

  private final Map<String, SecurityProperties.User> byName;

  UserAccounts(SecurityProperties security) {
    java.util.Map<String, SecurityProperties.User> m = new java.util.HashMap<>();
    for (SecurityProperties.User u : security.getUsers()) {
      if ((u.getOrganization() == null || u.getOrganization().isBlank()) && !"admin".equals(u.getRole())) {
        throw new IllegalStateException("radbridge.security.users: " + u.getUsername()
            + " names no organisation; only an admin may work for none");
      }
      m.put(u.getUsername(), u);
    }
    this.byName = Map.copyOf(m);
  }

  @Override
  public UserDetails loadUserByUsername(String username) {
    SecurityProperties.User u = byName.get(username);
    if (u == null) {
      throw new UsernameNotFoundException("no such user");
    }
    return User.withUsername(u.getUsername()).password(u.getPassword()).roles(u.getRole()).build();
  }

  Optional<SecurityProperties.User> user(String username) {
    return Optional.ofNullable(byName.get(username));
  }

  /** Whether a user of {@code role} may be granted {@code scope} (openid always). */
  static boolean mayBeGranted(String role, String scope) {
    return "openid".equals(scope) || SmartScopes.of(ROLE_SCOPES.getOrDefault(role, List.of())).implies(scope);
  }
}
