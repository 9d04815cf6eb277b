package org.radbridge.server.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Binds positional parameters to a prepared statement, arrays and instants included. */
public final class StatementBinder {
  private StatementBinder() {}

  public static PreparedStatement prepare(Connection con, String sql, List<Object> params) throws SQLException {
    PreparedStatement ps = con.prepareStatement(sql);
    bind(con, ps, params);
    return ps;
  }

  public static void bind(Connection con, PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object v = params.get(i);
      int idx = i + 1;
      if (v instanceof SqlArray a) {
        Object[] values = a.values();
        String elementType = a.elementType();
        if ("timestamptz".equals(elementType)) {
          // ISO-8601 text, cast by the statement: java.sql.Timestamp would go through the JVM's
          // time zone and the Julian calendar before 1582
          Object[] ts = new Object[values.length];
          for (int j = 0; j < values.length; j++) {
            ts[j] = values[j] == null ? null : values[j].toString();
          }
          values = ts;
          elementType = "text";
        }
        ps.setArray(idx, con.createArrayOf(elementType, values));
      } else if (v instanceof Instant inst) {
        ps.setObject(idx, OffsetDateTime.ofInstant(inst, ZoneOffset.UTC));
      } else if (v instanceof BigDecimal d) {
        ps.setBigDecimal(idx, d);
      } else if (v == null) {
        ps.setNull(idx, Types.VARCHAR);
      } else {
        ps.setObject(idx, v);
      }
    }
  }
}
