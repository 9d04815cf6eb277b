package org.radbridge.server.audit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.radbridge.server.store.SqlArray;
import org.radbridge.server.store.StatementBinder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The SQL of {@code audit_record}: append rows, find them (AuditEvent search). Nothing here updates or deletes one. */
@Component
public class AuditRows {
  static final String COLUMNS = "id, recorded, type, subtype, action, outcome, outcome_text, agent_kind, agent_name,"
      + " agent_org, agent_address, break_glass, patients, entities, entity_count, detail, request_id";
  private static final String INSERT = "INSERT INTO audit_record (recorded, type, subtype, action, outcome, outcome_text,"
      + " agent_kind, agent_name, agent_org, agent_address, break_glass, patients, entities, entity_count, detail,"
      + " request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::bigint, ?, ?, ?, ?, ?)";

  private final JdbcTemplate jdbc;

  public AuditRows(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Appends the records in one round trip (in the caller's transaction, if there is one). */
  public void append(Collection<AuditRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    jdbc.execute((java.sql.Connection con) -> {
      try (var ps = con.prepareStatement(INSERT)) {
        for (AuditRecord r : records) {
          StatementBinder.bind(con, ps, params(r));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  private static List<Object> params(AuditRecord r) {
    List<Object> p = new ArrayList<>(16);
    p.add(Timestamp.from(r.recorded()));
    p.add(cut(r.type(), 32));
    p.add(cut(r.subtype(), 64));
    p.add(String.valueOf(r.action()));
    p.add(r.outcome());
    p.add(cut(r.outcomeText(), 500));
    p.add(cut(r.agent().kind(), 16));
    p.add(cut(r.agent().name(), 200));
    p.add(cut(r.agent().organization(), 64));
    p.add(cut(r.agent().address(), 64));
    p.add(r.agent().breakGlass());
    p.add(new SqlArray("text", r.patients().stream().map(x -> cut(x, 200)).toArray()));
    p.add(new SqlArray("text", r.entities().stream().map(x -> cut(x, 200)).toArray()));
    p.add(r.entityCount());
    p.add(cut(r.detail(), 2000));
    p.add(cut(r.requestId(), 64));
    return p;
  }

  /**
   * A text as it can be stored: at most {@code max} characters, U+0000 (which PostgreSQL text cannot
   * hold, and which hostile input carries into error messages) shown as U+FFFD.
   */
  static String cut(String s, int max) {
    if (s == null) {
      return null;
    }
    String t = s.indexOf('\0') >= 0 ? s.replace('\0', '\uFFFD') : s;
    return t.length() <= max ? t : t.substring(0, max);
  }

  /** The records one search asks for, newest first, from before the keyset position (recorded, id). */
  public List<AuditRecordRow> find(AuditQuery q, int limit) {
    List<Object> p = new ArrayList<>();
    String where = q.where(p);
    p.add(limit);
    return jdbc.query(con -> StatementBinder.prepare(con, "SELECT " + COLUMNS + " FROM audit_record" + where
        + " ORDER BY recorded DESC, id DESC LIMIT ?", p), (rs, i) -> AuditRecordRow.of(rs));
  }

  public java.util.Optional<AuditRecordRow> byId(long id) {
    return jdbc.query("SELECT " + COLUMNS + " FROM audit_record WHERE id = ?", (rs, i) -> AuditRecordRow.of(rs), id)
        .stream().findFirst();
  }
}
