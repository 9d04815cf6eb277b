package org.radbridge.server.workflow;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The turnaround figures over orders whose final report falls in a period: count, median and 90th
 * percentile minutes from the study becoming available to the report reaching the ordering centre
 * (its delivery, else the final report), the share within the order's SLA (final report by the
 * due time) and the share within 30 minutes — overall and by each grouping the network reports on.
 */
@Component
public class TurnaroundFigures {
  /** Groupings: name → SQL expression (fixed here, never from a request). */
  public static final Map<String, String> GROUPINGS = new java.util.LinkedHashMap<>(Map.of(
      "community-centre", "coalesce(ordering_org, 'unknown')",
      "reading-hospital", "coalesce(reading_org, 'unknown')",
      "modality", "coalesce(modality, 'unknown')",
      "priority", "priority",
      "day", "to_char(final_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"));

  /** One row of figures: the group's value (null for all orders) and its numbers. */
  public record Figures(String group, String value, long count, double medianMinutes, double p90Minutes,
      double withinSla, double within30) {}

  private static final String MINUTES = "extract(epoch FROM (coalesce(delivered_at, final_at) - study_at)) / 60.0";
  private final JdbcTemplate jdbc;

  public TurnaroundFigures(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Overall first, then each grouping's values. */
  public List<Figures> figures(Instant from, Instant to) {
    List<Figures> out = new java.util.ArrayList<>(query(null, null, from, to));
    for (Map.Entry<String, String> g : GROUPINGS.entrySet()) {
      out.addAll(query(g.getKey(), g.getValue(), from, to));
    }
    return out;
  }

  private List<Figures> query(String group, String expr, Instant from, Instant to) {
    String key = expr == null ? "NULL" : expr;
    String sql = "SELECT " + key + " AS k, count(*),"
        + " percentile_cont(0.5) WITHIN GROUP (ORDER BY " + MINUTES + "),"
        + " percentile_cont(0.9) WITHIN GROUP (ORDER BY " + MINUTES + "),"
        + " avg(CASE WHEN due_at IS NOT NULL AND final_at <= due_at THEN 1.0 ELSE 0.0 END),"
        + " avg(CASE WHEN " + MINUTES + " <= 30 THEN 1.0 ELSE 0.0 END)"
        + " FROM order_turnaround WHERE final_at >= ? AND final_at < ? AND study_at IS NOT NULL"
        + " GROUP BY 1 ORDER BY 1";
    return jdbc.query(sql, (rs, n) -> new Figures(group, rs.getString(1), rs.getLong(2), rs.getDouble(3),
        rs.getDouble(4), rs.getDouble(5), rs.getDouble(6)), Timestamp.from(from), Timestamp.from(to));
  }

  /** One order's timestamps, in loop order (null where not reached). */
  public Map<String, Object> order(String orderId) {
    List<Map<String, Object>> rows = jdbc.queryForList("SELECT ordered_at, scheduled_at, study_at, due_at,"
        + " preliminary_at, final_at, delivered_at, flagged_at, ordering_org, reading_org, modality, priority, status"
        + " FROM order_turnaround WHERE order_id = ?", orderId);
    return rows.isEmpty() ? null : rows.get(0);
  }
}
