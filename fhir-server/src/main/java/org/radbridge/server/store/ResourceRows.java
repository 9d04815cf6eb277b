package org.radbridge.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * SQL of the resource, resource_version and index tables. Each write is one
 * statement (data-modifying CTEs) so a create or update costs one round trip plus the commit.
 * Callers own the transaction.
 */
@Repository
public class ResourceRows {
  private final JdbcTemplate jdbc;

  public ResourceRows(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The current row of a resource, locked for the rest of the transaction. */
  public record CurrentRow(long resPk, int versionId, boolean deleted) {}

  /**
   * Inserts version 1 of a new resource with its index rows.
   *
   * @return the new res_pk; empty when (type, id) already exists (nothing was written then)
   */
  public Optional<Long> insertNew(String type, String id, Instant lastUpdated, String content, IndexRows rows,
      Readers readers) {
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder(
        "WITH r AS (INSERT INTO resource (res_type, res_id, version_id, last_updated, deleted, content, own_readers, readers)"
            + " VALUES (?, ?, 1, ?, false, ?, ?, ?) ON CONFLICT (res_type, res_id) DO NOTHING"
            + " RETURNING res_pk, res_type, res_id, version_id, last_updated, content)"
            + ", v AS (INSERT INTO resource_version (res_pk, version_id, res_type, res_id, last_updated, method, content)"
            + " SELECT res_pk, version_id, res_type, res_id, last_updated, 'POST', content FROM r)");
    p.add(type);
    p.add(id);
    p.add(lastUpdated);
    p.add(content);
    p.add(new SqlArray("text", readers.own().toArray()));
    p.add(new SqlArray("text", readers.all().toArray()));
    sql.append(IndexWriteSql.insertFragments(type, rows, p));
    sql.append(" SELECT r.res_pk FROM r");
    List<Long> result = jdbc.query(con -> StatementBinder.prepare(con, sql.toString(), p),
        (rs, n) -> rs.getLong("res_pk"));
    if (result.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(result.get(0));
  }

  /** Locks and returns the current row of (type, id), if the resource was ever created. */
  public Optional<CurrentRow> lockCurrent(String type, String id) {
    List<CurrentRow> rows = jdbc.query(
        "SELECT res_pk, version_id, deleted FROM resource WHERE res_type = ? AND res_id = ? FOR UPDATE",
        (rs, n) -> new CurrentRow(rs.getLong(1), rs.getInt(2), rs.getBoolean(3)), type, id);
    return rows.stream().findFirst();
  }

  /** Writes a new current version (update, patch or delete) and replaces the index rows. */
  public void writeVersion(long resPk, int versionId, Instant lastUpdated, String method,
      String content, String type, IndexRows rows, Readers readers) {
    boolean deleted = content == null;
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder(
        "WITH r AS (UPDATE resource SET version_id = ?, last_updated = ?, deleted = ?, content = ?"
            + (readers == null ? "" : ", own_readers = ?, readers = ?")
            + " WHERE res_pk = ? RETURNING res_pk, res_type, res_id, version_id, last_updated, content)"
            + ", v AS (INSERT INTO resource_version (res_pk, version_id, res_type, res_id, last_updated, method, content)"
            + " SELECT res_pk, version_id, res_type, res_id, last_updated, ?, content FROM r)");
    p.add(versionId);
    p.add(lastUpdated);
    p.add(deleted);
    p.add(content);
    if (readers != null) {
      p.add(new SqlArray("text", readers.own().toArray()));
      p.add(new SqlArray("text", readers.all().toArray()));
    }
    p.add(resPk);
    p.add(method);
    sql.append(IndexWriteSql.deleteFragments());
    if (!deleted) {
      sql.append(IndexWriteSql.insertFragments(type, rows, p));
    }
    sql.append(" SELECT count(*) FROM r");
    jdbc.query(con -> StatementBinder.prepare(con, sql.toString(), p), rs -> null);
  }

  /** Rewrites the index rows of a resource's current version (reindexing; content unchanged). */
  public void replaceIndex(long resPk, String type, IndexRows rows) {
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder("WITH r AS (SELECT ?::bigint AS res_pk)");
    p.add(resPk);
    sql.append(IndexWriteSql.deleteFragments());
    sql.append(IndexWriteSql.insertFragments(type, rows, p));
    sql.append(" SELECT 1");
    jdbc.query(con -> StatementBinder.prepare(con, sql.toString(), p), rs -> null);
  }

  /** A batch of current, not deleted resources of the given types after a key, locked for reindexing. */
  public List<StoredVersion> lockBatchAfter(List<String> types, long afterPk, int limit) {
    return jdbc.query(con -> {
      var ps = con.prepareStatement("SELECT res_pk, res_type, res_id, version_id, last_updated, NULL AS method, content"
          + " FROM resource WHERE res_type = ANY (?) AND NOT deleted AND res_pk > ? ORDER BY res_pk LIMIT ? FOR UPDATE");
      ps.setArray(1, con.createArrayOf("varchar", types.toArray()));
      ps.setLong(2, afterPk);
      ps.setInt(3, limit);
      return ps;
    }, VERSION_MAPPER);
  }

  /** Locks the next current rows that no organisation reads (own readers empty), after {@code afterPk}. */
  public List<StoredVersion> lockWithoutReadersAfter(long afterPk, int limit) {
    return jdbc.query("SELECT res_pk, res_type, res_id, version_id, last_updated, NULL AS method, content"
        + " FROM resource WHERE own_readers = '{}' AND NOT deleted AND res_pk > ? ORDER BY res_pk LIMIT ? FOR UPDATE",
        VERSION_MAPPER, afterPk, limit);
  }

  /** Sets a row's readers without a new version (a computation catching up, not a change of the resource). */
  public void setReaders(long resPk, Readers readers) {
    jdbc.update(con -> StatementBinder.prepare(con, "UPDATE resource SET own_readers = ?, readers = ? WHERE res_pk = ?",
        List.of(new SqlArray("text", readers.own().toArray()), new SqlArray("text", readers.all().toArray()), resPk)));
  }

  /** A transaction-scoped advisory lock on a text key (released at commit or rollback). */
  public void lockKey(String key) {
    jdbc.query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", rs -> null, key);
  }

  private static final String VERSION_COLUMNS =
      "res_pk, res_type, res_id, version_id, last_updated, method, content";

  private static final RowMapper<StoredVersion> VERSION_MAPPER = ResourceRows::mapVersion;

  private static StoredVersion mapVersion(ResultSet rs, int n) throws SQLException {
    String content = rs.getString("content");
    return new StoredVersion(rs.getLong("res_pk"), rs.getString("res_type"), rs.getString("res_id"),
        rs.getInt("version_id"), rs.getObject("last_updated", java.time.OffsetDateTime.class).toInstant(), rs.getString("method"),
        content == null, content);
  }

  /** The current version (possibly a deletion marker). */
  public Optional<StoredVersion> readCurrent(String type, String id) {
    return readCurrent(type, id, Visibility.EVERYTHING);
  }

  /** The current version if {@code visibility} lets its reader see it (else as if it did not exist). */
  public Optional<StoredVersion> readCurrent(String type, String id, Visibility visibility) {
    List<Object> p = new ArrayList<>(List.of(type, id));
    String sql = "SELECT res_pk, res_type, res_id, version_id, last_updated, NULL AS method, content"
        + " FROM resource r WHERE res_type = ? AND res_id = ? AND " + visibility.predicate("r", p);
    return jdbc.query(con -> StatementBinder.prepare(con, sql, p), VERSION_MAPPER).stream().findFirst();
  }

  /**
   * Every live resource of the given types (conformance resources: a few hundred at most, loaded
   * whole into the validation-support chain).
   */
  public List<StoredVersion> readAllCurrent(List<String> types) {
    return jdbc.query(con -> {
      var ps = con.prepareStatement(
          "SELECT res_pk, res_type, res_id, version_id, last_updated, NULL AS method, content"
              + " FROM resource WHERE res_type = ANY (?) AND NOT deleted ORDER BY res_pk");
      ps.setArray(1, con.createArrayOf("text", types.toArray()));
      return ps;
    }, VERSION_MAPPER);
  }

  /** Changes whenever a resource of the given types is written (count and newest write), for polling. */
  public String changeSignature(List<String> types) {
    return jdbc.query(con -> {
      var ps = con.prepareStatement("SELECT count(*) || '/' || coalesce(max(last_updated)::text, '')"
          + " FROM resource WHERE res_type = ANY (?)");
      ps.setArray(1, con.createArrayOf("text", types.toArray()));
      return ps;
    }, (rs, n) -> rs.getString(1)).get(0);
  }

  /** Current versions of the given keys (order not kept). */
  public List<StoredVersion> readCurrentByPk(List<Long> pks) {
    if (pks.isEmpty()) {
      return List.of();
    }
    return jdbc.query(con -> {
      var ps = con.prepareStatement(
          "SELECT res_pk, res_type, res_id, version_id, last_updated, NULL AS method, content"
              + " FROM resource WHERE res_pk = ANY (?)");
      ps.setArray(1, con.createArrayOf("bigint", pks.toArray()));
      return ps;
    }, VERSION_MAPPER);
  }

  /** One version of a resource. */
  public Optional<StoredVersion> readVersion(String type, String id, int versionId) {
    return readVersion(type, id, versionId, Visibility.EVERYTHING);
  }

  /** A version, if its resource (as it is now) is visible to the reader. */
  public Optional<StoredVersion> readVersion(String type, String id, int versionId, Visibility visibility) {
    List<Object> p = new ArrayList<>(List.of(type, id, versionId));
    String sql = "SELECT v." + VERSION_COLUMNS.replace(", ", ", v.") + " FROM resource r"
        + " JOIN resource_version v ON v.res_pk = r.res_pk"
        + " WHERE r.res_type = ? AND r.res_id = ? AND v.version_id = ? AND " + visibility.predicate("r", p);
    return jdbc.query(con -> StatementBinder.prepare(con, sql, p), VERSION_MAPPER).stream().findFirst();
  }

  /** Whether (type, id) was ever created. */
  public boolean exists(String type, String id) {
    Integer n = jdbc.queryForObject(
        "SELECT count(*) FROM resource WHERE res_type = ? AND res_id = ?", Integer.class, type, id);
    return n != null && n > 0;
  }

  /**
   * A page of history, newest first. The cursor (lastUpdated, resPk, versionId) is exclusive and
   * makes paging a keyset walk; {@code notAfter} pins the set to the time of the first page.
   */
  public List<StoredVersion> history(String type, String id, Instant since, Instant notAfter,
      HistoryCursor cursor, int limit) {
    return history(type, id, since, notAfter, cursor, limit, Visibility.EVERYTHING);
  }

  /** A page of history of the resources the reader may see (as they are now). */
  public List<StoredVersion> history(String type, String id, Instant since, Instant notAfter,
      HistoryCursor cursor, int limit, Visibility visibility) {
    StringBuilder sql = new StringBuilder("SELECT " + VERSION_COLUMNS.replace("res_pk, res_type", "v.res_pk, v.res_type")
        .replace(", res_id, version_id, last_updated, method, content", ", v.res_id, v.version_id, v.last_updated, v.method, v.content")
        + " FROM resource_version v WHERE true");
    List<Object> p = new ArrayList<>();
    if (!visibility.everything()) {
      sql.append(" AND EXISTS (SELECT 1 FROM resource r WHERE r.res_pk = v.res_pk AND ")
          .append(visibility.predicate("r", p)).append(')');
    }
    if (id != null) {
      sql.append(" AND v.res_pk = (SELECT res_pk FROM resource WHERE res_type = ? AND res_id = ?)");
      p.add(type);
      p.add(id);
    } else if (type != null) {
      sql.append(" AND v.res_type = ?");
      p.add(type);
    }
    if (since != null) {
      sql.append(" AND v.last_updated >= ?");
      p.add(since);
    }
    if (notAfter != null) {
      sql.append(" AND v.last_updated <= ?");
      p.add(notAfter);
    }
    if (cursor != null) {
      sql.append(" AND (v.last_updated, v.res_pk, v.version_id) < (?, ?, ?)");
      p.add(cursor.lastUpdated());
      p.add(cursor.resPk());
      p.add(cursor.versionId());
    }
    sql.append(" ORDER BY v.last_updated DESC, v.res_pk DESC, v.version_id DESC LIMIT ?");
    p.add(limit);
    return jdbc.query(con -> StatementBinder.prepare(con, sql.toString(), p), VERSION_MAPPER);
  }

  /** Position in a history walk: the last entry already returned. */
  public record HistoryCursor(Instant lastUpdated, long resPk, int versionId) {}

  // ---- readers ------------------------------------------------------------------------------

  /** The organisations that may read any of these resources (their readers, together). */
  public java.util.Set<String> readersOf(String type, java.util.Collection<String> ids) {
    return new java.util.TreeSet<>(jdbc.queryForList(
        "SELECT DISTINCT unnest(readers) FROM resource WHERE res_type = ? AND res_id = ANY(?) AND NOT deleted",
        String.class, type, ids.toArray(String[]::new)));
  }

  /** The readers of every order of a patient ({@code Patient/<id>}). */
  public java.util.Set<String> readersOfOrdersFor(String patientReference) {
    String id = patientReference.substring(patientReference.indexOf('/') + 1);
    return new java.util.TreeSet<>(jdbc.queryForList("SELECT DISTINCT unnest(o.readers) FROM idx_reference x"
        + " JOIN resource o ON o.res_pk = x.res_pk WHERE x.res_type = 'ServiceRequest' AND x.param = 'subject'"
        + " AND x.target_type = 'Patient' AND x.target_id = ?", String.class, id));
  }

  /** The parameters by which a resource names the orders it belongs to. */
  private static final String ORDER_PARAMS = "('based-on', 'basedon', 'focus')";

  /**
   * After an order's readers changed: its patient's and its dependents' readers are their own
   * readers and those of all their orders again (in the order's transaction).
   */
  public void recomputeInheritedReaders(String orderId, String patientId) {
    if (patientId != null) {
      jdbc.update("UPDATE resource p SET readers = (SELECT coalesce(array_agg(DISTINCT x), '{}') FROM ("
          + "SELECT unnest(p.own_readers) UNION SELECT unnest(o.readers) FROM idx_reference ref"
          + " JOIN resource o ON o.res_pk = ref.res_pk WHERE ref.res_type = 'ServiceRequest' AND ref.param = 'subject'"
          + " AND ref.target_type = 'Patient' AND ref.target_id = p.res_id) t(x))"
          + " WHERE p.res_type = 'Patient' AND p.res_id = ?", patientId);
    }
    jdbc.update("UPDATE resource d SET readers = (SELECT coalesce(array_agg(DISTINCT x), '{}') FROM ("
        + "SELECT unnest(d.own_readers) UNION SELECT unnest(o.readers) FROM idx_reference ref"
        + " JOIN resource o ON o.res_type = 'ServiceRequest' AND o.res_id = ref.target_id"
        + " WHERE ref.res_pk = d.res_pk AND ref.param IN " + ORDER_PARAMS + " AND ref.target_type = 'ServiceRequest') t(x))"
        + " WHERE d.res_pk IN (SELECT res_pk FROM idx_reference WHERE res_type IN ('ImagingStudy', 'DiagnosticReport',"
        + " 'Observation', 'Task') AND param IN " + ORDER_PARAMS + " AND target_id = ? AND target_type = 'ServiceRequest')",
        orderId);
  }
}
