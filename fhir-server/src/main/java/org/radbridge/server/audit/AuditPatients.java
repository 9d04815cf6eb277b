package org.radbridge.server.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.radbridge.server.store.IndexRows;
import org.radbridge.server.store.SqlArray;
import org.radbridge.server.store.StatementBinder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Which patients an audited access touched: a Patient itself, and the patient that any other
 * resource names in its {@code subject} or {@code patient} search parameter (its index rows).
 */
@Component
public class AuditPatients {
  static final Set<String> PATIENT_PARAMS = Set.of("subject", "patient");

  private final JdbcTemplate jdbc;

  public AuditPatients(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The patients of one resource being written, from its index rows. */
  public static Set<String> ofWrite(String type, String id, IndexRows index) {
    Set<String> out = new LinkedHashSet<>();
    if ("Patient".equals(type)) {
      out.add(id);
    }
    if (index != null) {
      for (IndexRows.ReferenceRow r : index.references) {
        if (PATIENT_PARAMS.contains(r.param()) && "Patient".equals(r.targetType()) && r.targetId() != null) {
          out.add(r.targetId());
        }
      }
    }
    return out;
  }

  /** The patients of stored resources ({@code Type/id}), in one query: reference → its patients. */
  Map<String, Set<String>> ofStored(Collection<String> references) {
    Map<String, Set<String>> out = new HashMap<>();
    List<String> types = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (String ref : references) {
      int slash = ref.indexOf('/');
      if (slash <= 0) {
        continue;
      }
      if (ref.startsWith("Patient/")) {
        out.computeIfAbsent(ref, k -> new LinkedHashSet<>()).add(ref.substring(slash + 1));
      } else {
        types.add(ref.substring(0, slash));
        ids.add(ref.substring(slash + 1));
      }
    }
    if (types.isEmpty()) {
      return out;
    }
    List<Object> p = List.of(new SqlArray("text", types.toArray()), new SqlArray("text", ids.toArray()));
    jdbc.query(con -> StatementBinder.prepare(con, "SELECT r.res_type || '/' || r.res_id, x.target_id FROM resource r"
        + " JOIN idx_reference x ON x.res_pk = r.res_pk WHERE (r.res_type, r.res_id) IN"
        + " (SELECT t, i FROM unnest(?::text[], ?::text[]) AS u(t, i))"
        + " AND x.param IN ('subject', 'patient') AND x.target_type = 'Patient' AND x.target_id IS NOT NULL", p),
        rs -> {
          out.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2));
        });
    return out;
  }
}
