package org.radbridge.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Break-glass sessions and what was touched in them (tables {@code break_glass_session},
 * {@code break_glass_access}, changeset 020). A session belongs to one token — its SHA-256 is the
 * key, the token itself is never stored — and ends when that token expires. Lookups are cached on
 * this node: a session for as long as it lasts, its absence for a second (a session started on
 * another node is seen here within that second).
 */
@Component
public class BreakGlassSessions {
  private static final Duration ABSENCE_REMEMBERED = Duration.ofSeconds(1);

  /** A session as a reviewer sees it. */
  public record Session(long id, String username, String organization, String reason, Instant startedAt,
      Instant expiresAt, Instant reviewedAt, String reviewedBy) {}

  private final JdbcTemplate jdbc;
  private final Cache<String, Long> active = Caffeine.newBuilder().maximumSize(10_000)
      .expireAfterWrite(Duration.ofHours(1)).build();
  private final Cache<String, Boolean> absent = Caffeine.newBuilder().maximumSize(10_000)
      .expireAfterWrite(ABSENCE_REMEMBERED).build();

  public BreakGlassSessions(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Starts the session of {@code token} (or returns the one it is already in). */
  long start(String token, String username, String organization, String reason, Instant expiresAt) {
    byte[] hash = sha256(token);
    jdbc.update("INSERT INTO break_glass_session (token_sha256, username, organization, reason, expires_at)"
        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_sha256) DO NOTHING", hash, username, organization, reason,
        Timestamp.from(expiresAt));
    long id = jdbc.queryForObject("SELECT id FROM break_glass_session WHERE token_sha256 = ?", Long.class, hash);
    absent.invalidate(hex(hash));
    return id;
  }

  /** The session the token is in, while the token is valid. */
  Optional<Long> of(String token, Instant expiresAt) {
    String key = hex(sha256(token));
    Long known = active.getIfPresent(key);
    if (known != null) {
      return Optional.of(known);
    }
    if (absent.getIfPresent(key) != null) {
      return Optional.empty();
    }
    List<Long> found = jdbc.queryForList("SELECT id FROM break_glass_session WHERE token_sha256 = ? AND expires_at > now()",
        Long.class, sha256(token));
    if (found.isEmpty()) {
      absent.put(key, Boolean.TRUE);
      return Optional.empty();
    }
    active.put(key, found.get(0));
    return Optional.of(found.get(0));
  }

  /** Lists what the session touched: one row per resource and interaction. */
  public void touched(long session, String interaction, Collection<String> references) {
    List<Object[]> rows = new ArrayList<>();
    for (String ref : references) {
      int slash = ref.indexOf('/');
      if (slash > 0) {
        rows.add(new Object[] {session, interaction, ref.substring(0, slash), ref.substring(slash + 1)});
      }
    }
    if (!rows.isEmpty()) {
      jdbc.batchUpdate("INSERT INTO break_glass_access (session_id, interaction, resource_type, resource_id)"
          + " VALUES (?, ?, ?, ?)", rows);
    }
  }

  /** Sessions, the unreviewed first, newest first. */
  List<Session> list(boolean unreviewedOnly, int limit) {
    return jdbc.query("SELECT id, username, organization, reason, started_at, expires_at, reviewed_at, reviewed_by"
        + " FROM break_glass_session" + (unreviewedOnly ? " WHERE reviewed_at IS NULL" : "")
        + " ORDER BY reviewed_at IS NULL DESC, started_at DESC LIMIT ?", (rs, i) -> session(rs), limit);
  }

  Optional<Session> get(long id) {
    return jdbc.query("SELECT id, username, organization, reason, started_at, expires_at, reviewed_at, reviewed_by"
        + " FROM break_glass_session WHERE id = ?", (rs, i) -> session(rs), id).stream().findFirst();
  }

  /** What the session touched, in order: interaction, reference, when. */
  List<Map<String, Object>> accesses(long id, int limit) {
    return jdbc.query("SELECT at, interaction, resource_type, resource_id FROM break_glass_access WHERE session_id = ?"
        + " ORDER BY at, resource_type, resource_id LIMIT ?", (rs, i) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("at", rs.getTimestamp(1).toInstant().toString());
          m.put("interaction", rs.getString(2));
          m.put("reference", rs.getString(3) + "/" + rs.getString(4));
          return m;
        }, id, limit);
  }

  boolean markReviewed(long id, String reviewer) {
    return jdbc.update("UPDATE break_glass_session SET reviewed_at = now(), reviewed_by = ? WHERE id = ?"
        + " AND reviewed_at IS NULL", reviewer, id) == 1;
  }

  private static Session session(java.sql.ResultSet rs) throws java.sql.SQLException {
    Timestamp reviewed = rs.getTimestamp(7);
    return new Session(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(), reviewed == null ? null : reviewed.toInstant(),
        rs.getString(8));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
