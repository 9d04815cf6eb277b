package org.radbridge.server.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** All SQL of the outbox table. */
@Repository
public class OutboxRows {
  private static final String COLUMNS = "outbox_id, kind, destination, ordering_key, payload, content_type, state,"
      + " attempts, next_attempt_at, last_error, created_at, delivered_at, subject";
  private static final RowMapper<OutboxRow> MAPPER = OutboxRows::map;

  private final JdbcTemplate jdbc;

  public OutboxRows(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  private static OutboxRow map(ResultSet rs, int n) throws SQLException {
    return new OutboxRow(rs.getLong("outbox_id"), rs.getString("kind"), rs.getString("destination"),
        rs.getString("ordering_key"), rs.getString("payload"), rs.getString("content_type"), rs.getString("state"),
        rs.getInt("attempts"), instant(rs.getTimestamp("next_attempt_at")), rs.getString("last_error"),
        instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("delivered_at")), rs.getString("subject"));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  public long insert(String kind, String destination, String orderingKey, String payload, String contentType,
      String subject) {
    return jdbc.queryForObject("INSERT INTO outbox (kind, destination, ordering_key, payload, content_type, subject)"
        + " VALUES (?, ?, ?, ?, ?, ?) RETURNING outbox_id", Long.class, kind, destination, orderingKey, payload,
        contentType, subject);
  }

  /** Keys with due pending rows, oldest first. */
  public List<String> dueKeys(int limit) {
    return jdbc.queryForList("SELECT ordering_key FROM outbox WHERE state = 'pending' AND next_attempt_at <= now()"
        + " GROUP BY ordering_key ORDER BY min(outbox_id) LIMIT ?", String.class, limit);
  }

  /** Takes the key for this transaction (any node); false when another worker holds it. */
  public boolean tryLockKey(String key) {
    return Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 7))",
        Boolean.class, "outbox:" + key));
  }

  /** The key's pending rows in order, locked. */
  public List<OutboxRow> pendingOfKey(String key, int limit) {
    return jdbc.query("SELECT " + COLUMNS + " FROM outbox WHERE ordering_key = ? AND state = 'pending'"
        + " ORDER BY outbox_id LIMIT ? FOR UPDATE", MAPPER, key, limit);
  }

  public void markDelivered(List<Long> ids) {
    jdbc.update(con -> {
      var ps = con.prepareStatement("UPDATE outbox SET state = 'delivered', delivered_at = now(), attempts = attempts + 1"
          + " WHERE outbox_id = ANY (?)"); // last_error stays: the last refusal before it went through
      ps.setArray(1, con.createArrayOf("bigint", ids.toArray()));
      return ps;
    });
  }

  public void markFailed(long id, String error, Instant nextAttempt, boolean dead) {
    jdbc.update("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, state = ?"
        + " WHERE outbox_id = ?", error, Timestamp.from(nextAttempt), dead ? "dead" : "pending", id);
  }

  public Optional<OutboxRow> find(long id) {
    return jdbc.query("SELECT " + COLUMNS + " FROM outbox WHERE outbox_id = ?", MAPPER, id).stream().findFirst();
  }

  public List<OutboxRow> list(String state, String destination, int limit) {
    return jdbc.query("SELECT " + COLUMNS + " FROM outbox WHERE (?::text IS NULL OR state = ?)"
        + " AND (?::text IS NULL OR destination = ?) ORDER BY outbox_id DESC LIMIT ?", MAPPER,
        state, state, destination, destination, limit);
  }

  /** Dead or discarded rows back to pending, due now, attempts reset. */
  public int replay(Long id, String destination) {
    return jdbc.update("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL"
        + " WHERE state IN ('dead', 'discarded') AND (?::bigint IS NULL OR outbox_id = ?)"
        + " AND (?::text IS NULL OR destination = ?)", id, id, destination, destination);
  }

  public int discard(long id) {
    return jdbc.update("UPDATE outbox SET state = 'discarded' WHERE outbox_id = ? AND state IN ('pending', 'dead')", id);
  }

  public int purgeDelivered(Instant before) {
    return jdbc.update("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?", Timestamp.from(before));
  }

  /** Per destination: pending, delivered, dead, discarded counts and the age of the oldest pending row. */
  public record DestinationStats(String destination, long pending, long delivered, long dead, long discarded,
      double oldestPendingSeconds) {}

  public List<DestinationStats> stats() {
    return jdbc.query("SELECT destination,"
        + " count(*) FILTER (WHERE state = 'pending') AS pending,"
        + " count(*) FILTER (WHERE state = 'delivered') AS delivered,"
        + " count(*) FILTER (WHERE state = 'dead') AS dead,"
        + " count(*) FILTER (WHERE state = 'discarded') AS discarded,"
        + " coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE state = 'pending')), 0) AS oldest"
        + " FROM outbox GROUP BY destination ORDER BY destination",
        (rs, n) -> new DestinationStats(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            rs.getDouble(6)));
  }
}
