package org.radbridge.server.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMART App Launch v2 scopes as RadBridge reads them: {@code system/ServiceRequest.cruds},
 * {@code system/*.rs}, with the v1 spellings {@code .read} (= rs), {@code .write} (= cud) and
 * {@code .*} (= cruds); {@code patient/} and {@code user/} scopes are read the same way for now
 * (every caller is a system acting for its organisation). A v2 scope with a query
 * ({@code system/Observation.rs?category=…}) grants nothing here: it is never widened to the whole
 * type. {@value #ADMIN} is the network administrator's scope (directory, admin endpoints, metrics).
 */
public final class SmartScopes {
  public static final String ADMIN = "radbridge/admin";
  /** A person may declare an emergency and read beyond their organisation (README "Break-glass"). */
  public static final String BREAK_GLASS = "radbridge/break-glass";
  /** The audit trail (AuditEvent read and search): granted only by name, never by a wildcard. */
  public static final String AUDIT = "radbridge/audit";
  /** What the built-in administrator client, and a server with security off, may do. */
  public static final List<String> EVERYTHING = List.of("system/*.cruds", ADMIN, AUDIT);

  /** One interaction letter of SMART v2: create, read, update, delete, search. */
  public enum Interaction {
    CREATE('c'), READ('r'), UPDATE('u'), DELETE('d'), SEARCH('s');

    final char letter;

    Interaction(char letter) {
      this.letter = letter;
    }
  }

  private static final Pattern RESOURCE_SCOPE = Pattern.compile(
      "(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.(\\*|read|write|c?r?u?d?s?)(\\?.*)?");

  /** One parsed resource scope. */
  record Grant(String context, String type, String letters, boolean constrained) {
    boolean covers(String resourceType, Interaction i) {
      return !constrained && ("*".equals(type) || type.equals(resourceType)) && letters.indexOf(i.letter) >= 0;
    }
  }

  private final Set<String> raw;
  private final List<Grant> grants;
  private final boolean admin;

  private SmartScopes(Collection<String> scopes) {
    this.raw = Set.copyOf(new LinkedHashSet<>(scopes));
    this.grants = scopes.stream().map(SmartScopes::parse).filter(g -> g != null).toList();
    this.admin = raw.contains(ADMIN);
  }

  public static SmartScopes of(Collection<String> scopes) {
    return new SmartScopes(scopes == null ? List.of() : scopes);
  }

  /** The scopes of a token's {@code scope} claim (space-separated) or {@code scp} list. */
  public static SmartScopes ofClaim(Object claim) {
    if (claim instanceof String s) {
      return of(List.of(s.trim().split("\\s+")));
    }
    if (claim instanceof Collection<?> c) {
      return of(c.stream().map(String::valueOf).toList());
    }
    return of(List.of());
  }

  static Grant parse(String scope) {
    Matcher m = RESOURCE_SCOPE.matcher(scope);
    if (!m.matches() || m.group(3).isEmpty()) {
      return null;
    }
    String letters = switch (m.group(3)) {
      case "*" -> "cruds";
      case "read" -> "rs";
      case "write" -> "cud";
      default -> m.group(3);
    };
    return new Grant(m.group(1), m.group(2), letters, m.group(4) != null);
  }

  public boolean permits(String resourceType, Interaction interaction) {
    if ("AuditEvent".equals(resourceType)) {
      return raw.contains(AUDIT) && (interaction == Interaction.READ || interaction == Interaction.SEARCH);
    }
    return grants.stream().anyMatch(g -> g.covers(resourceType, interaction));
  }

  public boolean isAdmin() {
    return admin;
  }

  public Set<String> asSet() {
    return raw;
  }

  /**
   * Whether a client registered with these scopes may be granted {@code requested}: the same
   * scope, or a resource scope every interaction of which a registered one covers
   * ({@code system/Patient.rs} under {@code system/*.cruds}; {@code system/Patient.read} under
   * {@code system/Patient.rs}). A constrained scope only as registered.
   */
  public boolean implies(String requested) {
    if (raw.contains(requested)) {
      return true;
    }
    Grant want = parse(requested);
    if (want == null || want.constrained()) {
      return false;
    }
    for (char letter : want.letters().toCharArray()) {
      Interaction i = interaction(letter);
      boolean covered = grants.stream().anyMatch(g -> g.context().equals(want.context())
          && ("*".equals(g.type()) || g.type().equals(want.type())) && !g.constrained()
          && g.letters().indexOf(i.letter) >= 0 && ("*".equals(want.type()) ? "*".equals(g.type()) : true));
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  private static Interaction interaction(char letter) {
    for (Interaction i : Interaction.values()) {
      if (i.letter == letter) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a SMART interaction: " + letter);
  }

  /** The scope a refusal names: {@code system/Patient.r}. */
  public static String needed(String resourceType, Interaction interaction) {
    if ("AuditEvent".equals(resourceType)) {
      return AUDIT;
    }
    return "system/" + resourceType + "." + interaction.letter;
  }

  @Override
  public String toString() {
    return raw.isEmpty() ? "(none)" : String.join(" ", raw);
  }
}
