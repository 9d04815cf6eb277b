package org.radbridge.server.subscription;

import java.util.Map;
import java.util.Set;
import org.radbridge.server.security.RestCallers;
import org.radbridge.server.store.SqlArray;
import org.radbridge.server.store.StatementBinder;
import org.radbridge.server.store.Visibility;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Who each Subscription is for (table {@code subscription_owner}): what its writer may read,
 * recorded with each write of it, so the matcher tells it only about resources its owner may read.
 */
@Component
public class SubscriptionOwners implements WriteHook {
  private final JdbcTemplate jdbc;
  private final RestCallers callers;

  public SubscriptionOwners(JdbcTemplate jdbc, RestCallers callers) {
    this.jdbc = jdbc;
    this.callers = callers;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("Subscription");
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() == null) {
      jdbc.update("DELETE FROM subscription_owner WHERE subscription_id = ?", e.id());
      return;
    }
    // a subscription outlives any break-glass session it was written in
    Visibility v = callers.visibilityOf(e.caller().withoutBreakGlass());
    java.util.List<Object> p = java.util.List.of(e.id(), v.everything(), new SqlArray("text", v.organisations().toArray()));
    jdbc.update(con -> StatementBinder.prepare(con, "INSERT INTO subscription_owner (subscription_id, everything,"
        + " organisations) VALUES (?, ?, ?) ON CONFLICT (subscription_id) DO UPDATE SET everything = excluded.everything,"
        + " organisations = excluded.organisations", p));
  }

  /** The organisations a subscription's owner acts for (empty for an owner who may read everything, or none known). */
  java.util.List<String> organisationsOf(String subscriptionId) {
    return jdbc.query("SELECT organisations FROM subscription_owner WHERE subscription_id = ? AND NOT everything",
        (rs, n) -> java.util.List.of((String[]) rs.getArray(1).getArray()), subscriptionId).stream().findFirst()
        .orElse(java.util.List.of());
  }

  /** Every subscription's owner. */
  Map<String, Visibility> all() {
    Map<String, Visibility> owners = new java.util.HashMap<>();
    jdbc.query("SELECT subscription_id, everything, organisations FROM subscription_owner", rs -> {
      String[] orgs = (String[]) rs.getArray(3).getArray();
      owners.put(rs.getString(1), new Visibility(rs.getBoolean(2), Set.of(orgs)));
    });
    return owners;
  }
}
