package org.radbridge.server.search;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Finds the resources of a type that match search criteria (the read side's entry for matching). */
@Service
public class SearchService {
  /** A matching resource's key and logical id. */
  public record Match(long resPk, String resId) {}

  private final JdbcTemplate jdbc;
  private final SearchSqlBuilder sqlBuilder;

  public SearchService(JdbcTemplate jdbc, SearchSqlBuilder sqlBuilder) {
    this.jdbc = jdbc;
    this.sqlBuilder = sqlBuilder;
  }

  /** At most {@code limit} matches (callers that need "one or many" ask for two). */
  public List<Match> match(String resourceType, SearchCriteria criteria, int limit) {
    SqlQuery q = sqlBuilder.matching(resourceType, criteria, limit);
    return jdbc.query(con -> {
      var ps = con.prepareStatement(q.sql());
      bind(con, ps, q.params());
      return ps;
    }, (rs, n) -> new Match(rs.getLong(1), rs.getString(2)));
  }

  private static void bind(java.sql.Connection con, java.sql.PreparedStatement ps, List<Object> params)
      throws java.sql.SQLException {
    org.radbridge.server.store.StatementBinder.bind(con, ps, params);
  }
}
