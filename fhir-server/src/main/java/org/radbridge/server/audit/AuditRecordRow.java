package org.radbridge.server.audit;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/** A stored record and its id (the AuditEvent's id). */
public record AuditRecordRow(long id, AuditRecord record) {
  static AuditRecordRow of(ResultSet rs) throws SQLException {
    long bg = rs.getLong("break_glass");
    Long breakGlass = rs.wasNull() ? null : bg; // wasNull: of the column read last
    AuditRecord.Agent agent = new AuditRecord.Agent(rs.getString("agent_kind"), rs.getString("agent_name"),
        rs.getString("agent_org"), rs.getString("agent_address"), breakGlass);
    return new AuditRecordRow(rs.getLong("id"), new AuditRecord(rs.getTimestamp("recorded").toInstant(),
        rs.getString("type"), rs.getString("subtype"), rs.getString("action").charAt(0), rs.getInt("outcome"),
        rs.getString("outcome_text"), agent, Set.of(strings(rs.getArray("patients"))),
        List.of(strings(rs.getArray("entities"))), rs.getInt("entity_count"), rs.getString("detail"),
        rs.getString("request_id")));
  }

  private static String[] strings(Array a) throws SQLException {
    return a == null ? new String[0] : (String[]) a.getArray();
  }
}
