package org.radbridge.server.subscription;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Each subscription's event count (table subscription_state): the next event number, taken in the
 * writing transaction so numbers follow commit order and a rollback leaves no gap, and the count
 * since the subscription started ({@code events-since-subscription-start}).
 */
@Component
public class EventNumbers {
  private final JdbcTemplate jdbc;

  public EventNumbers(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  long next(String subscriptionId) {
    Long n = jdbc.queryForObject("INSERT INTO subscription_state (subscription_id, events_since_start) VALUES (?, 1)"
        + " ON CONFLICT (subscription_id) DO UPDATE SET events_since_start = subscription_state.events_since_start + 1"
        + " RETURNING events_since_start", Long.class, subscriptionId);
    return n == null ? 0 : n;
  }

  /** Events the subscription has had since it started (0 before its first). */
  public long sinceStart(String subscriptionId) {
    return jdbc.query("SELECT events_since_start FROM subscription_state WHERE subscription_id = ?",
        rs -> rs.next() ? rs.getLong(1) : 0L, subscriptionId);
  }
}
