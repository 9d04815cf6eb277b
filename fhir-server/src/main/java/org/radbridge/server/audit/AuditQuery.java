package org.radbridge.server.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.radbridge.server.store.SqlArray;

/**
 * An AuditEvent search as SQL conditions: each parameter's values are OR'ed, the parameters AND'ed;
 * every value is a bound parameter. {@code before} is the keyset position of the next page.
 */
public record AuditQuery(List<String> patients, List<String> agents, List<String> entities, Instant from,
    boolean fromInclusive, Instant to, boolean toInclusive, List<String> types, List<String> subtypes,
    List<Integer> outcomes, Instant beforeRecorded, Long beforeId) {

  String where(List<Object> p) {
    List<String> and = new ArrayList<>();
    if (!patients.isEmpty()) {
      and.add("patients && ?::text[]");
      p.add(new SqlArray("text", patients.toArray()));
    }
    if (!entities.isEmpty()) {
      and.add("entities && ?::text[]");
      p.add(new SqlArray("text", entities.toArray()));
    }
    if (!agents.isEmpty()) {
      and.add("agent_name = ANY (?::text[])");
      p.add(new SqlArray("text", agents.toArray()));
    }
    if (!types.isEmpty()) {
      and.add("type = ANY (?::text[])");
      p.add(new SqlArray("text", types.toArray()));
    }
    if (!subtypes.isEmpty()) {
      and.add("subtype = ANY (?::text[])");
      p.add(new SqlArray("text", subtypes.toArray()));
    }
    if (!outcomes.isEmpty()) {
      and.add("outcome = ANY (?::smallint[])");
      p.add(new SqlArray("int2", outcomes.toArray()));
    }
    if (from != null) {
      and.add(fromInclusive ? "recorded >= ?" : "recorded > ?");
      p.add(Timestamp.from(from));
    }
    if (to != null) {
      and.add(toInclusive ? "recorded <= ?" : "recorded < ?");
      p.add(Timestamp.from(to));
    }
    if (beforeRecorded != null && beforeId != null) {
      and.add("(recorded, id) < (?, ?)");
      p.add(Timestamp.from(beforeRecorded));
      p.add(beforeId);
    }
    return and.isEmpty() ? "" : " WHERE " + String.join(" AND ", and);
  }
}
