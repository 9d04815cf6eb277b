package org.radbridge.server.search;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.radbridge.server.store.StatementBinder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;

/** Runs searches: matching for conditional writes, pages, counts and includes for the search API. */
@Service
public class SearchService {
  /** A matching resource's key and logical id. */
  public record Match(long resPk, String resId) {}

  /** A row of a page: key, id, and the text of each sort value (for the cursor). */
  public record PageRow(long resPk, String resId, List<String> sortValues) {}

  private final JdbcTemplate jdbc;
  private final SearchSqlBuilder sqlBuilder;
  private final SearchParamRegistry registry;
  private final CustomSearchParameters customSearchParameters;

  public SearchService(JdbcTemplate jdbc, SearchSqlBuilder sqlBuilder, SearchParamRegistry registry,
      CustomSearchParameters customSearchParameters) {
    this.jdbc = jdbc;
    this.sqlBuilder = sqlBuilder;
    this.registry = registry;
    this.customSearchParameters = customSearchParameters;
  }

  public CustomSearchParameters customSearchParameters() {
    return customSearchParameters;
  }

  public SearchParamRegistry registry() {
    return registry;
  }

  public boolean isKnown(String type, SearchCriteria.Clause c) {
    return sqlBuilder.isKnown(type, c);
  }

  /** At most {@code limit} matches (callers that need "one or many" ask for two). */
  public List<Match> match(String resourceType, SearchCriteria criteria, int limit) {
    return query(sqlBuilder.matching(resourceType, criteria, limit), (rs, n) -> new Match(rs.getLong(1), rs.getString(2)));
  }

  /** Matches a reader who sees only what {@code visibility} lets them may see. */
  public List<Match> match(String resourceType, SearchCriteria criteria, int limit,
      org.radbridge.server.store.Visibility visibility) {
    return query(sqlBuilder.matching(resourceType, criteria, limit, visibility),
        (rs, n) -> new Match(rs.getLong(1), rs.getString(2)));
  }

  /** The newest resource key: pages bound their result to keys at or below it. */
  /** The indexes (into {@code criteria}) of the criteria the resource with {@code resPk} satisfies. */
  public java.util.Set<Integer> matchingAmong(String resourceType, List<SearchCriteria> criteria, long resPk) {
    if (criteria.isEmpty()) {
      return java.util.Set.of();
    }
    return new java.util.HashSet<>(query(sqlBuilder.matchingAmong(resourceType, criteria, resPk), (rs, n) -> rs.getInt(1)));
  }

  public long maxPk() {
    Long pk = jdbc.queryForObject("SELECT coalesce(max(res_pk), 0) FROM resource", Long.class);
    return pk == null ? 0 : pk;
  }

  public List<PageRow> page(SearchRequest req, long maxPk, List<String> cursor, boolean backwards, int limit) {
    var dateSort = sqlBuilder.dateSortParam(req.type(), req.sort());
    if (dateSort.isPresent()) {
      return dateSortedPage(req, maxPk, cursor, backwards, limit);
    }
    SqlQuery q = sqlBuilder.page(req.type(), req.criteria().clauses(), req.sort(), maxPk, cursor, backwards, limit,
        req.visibility());
    int keys = req.sort().size();
    List<PageRow> rows = query(q, (rs, n) -> {
      List<String> values = new ArrayList<>(keys);
      for (int i = 0; i < keys; i++) {
        values.add(rs.getString(3 + i));
      }
      return new PageRow(rs.getLong(1), rs.getString(2), values);
    });
    return rows;
  }

  /**
   * A page sorted by one date parameter: first the resources that have a value (walked on the
   * date index), then those without (by res_pk), as the general sort orders them.
   */
  private List<PageRow> dateSortedPage(SearchRequest req, long maxPk, List<String> cursor, boolean backwards, int limit) {
    SortKey key = req.sort().get(0);
    List<SearchCriteria.Clause> clauses = req.criteria().clauses();
    String missing = SearchSqlBuilder.missingDateText(key.descending());
    RowMapper<PageRow> mapper = (rs, n) -> new PageRow(rs.getLong(1), rs.getString(2), List.of(rs.getString(3)));
    String cursorValue = cursor == null ? null : cursor.get(0);
    Long cursorPk = cursor == null ? null : Long.valueOf(cursor.get(1));
    boolean inMissing = missing.equals(cursorValue);
    List<PageRow> rows = new ArrayList<>();
    if (!backwards) {
      if (!inMissing) {
        rows.addAll(query(sqlBuilder.dateSortDriving(req.type(), clauses, key, maxPk, cursorValue, cursorPk, false, limit,
            req.visibility()), mapper));
      }
      if (rows.size() < limit) {
        rows.addAll(query(sqlBuilder.dateSortMissing(req.type(), clauses, key, maxPk, inMissing ? cursorPk : null, false,
            limit - rows.size(), req.visibility()), mapper));
      }
    } else {
      if (inMissing) {
        rows.addAll(query(sqlBuilder.dateSortMissing(req.type(), clauses, key, maxPk, cursorPk, true, limit, req.visibility()), mapper));
      }
      if (rows.size() < limit) {
        rows.addAll(query(sqlBuilder.dateSortDriving(req.type(), clauses, key, maxPk, inMissing ? null : cursorValue,
            inMissing ? null : cursorPk, true, limit - rows.size(), req.visibility()), mapper));
      }
    }
    return rows;
  }

  public long count(SearchRequest req, long maxPk) {
    List<Long> n = query(sqlBuilder.count(req.type(), req.criteria().clauses(), maxPk, req.visibility()), (rs, i) -> rs.getLong(1));
    return n.isEmpty() ? 0 : n.get(0);
  }

  /** The planner's estimate of the number of matches: free, and close enough for _total=estimate. */
  public long estimate(SearchRequest req, long maxPk) {
    SqlQuery q = sqlBuilder.count(req.type(), req.criteria().clauses(), maxPk, req.visibility());
    SqlQuery explain = new SqlQuery("EXPLAIN (FORMAT JSON) " + q.sql().replace("SELECT count(*)", "SELECT 1"), q.params());
    List<String> plan = query(explain, (rs, i) -> rs.getString(1));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"Plan Rows\": (\\d+)").matcher(plan.get(0));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** What _include/_revinclude added to a page: the keys, and whether the bound cut them short. */
  public record Included(Set<Long> keys, boolean complete) {}

  /**
   * Keys of the resources that {@code _include} specs reach from the given resources:
   * "Type:param", "Type:param:TargetType" or "*"; a spec prefixed "iterate:" is applied again to
   * what was included, until nothing new arrives. At most {@code max} keys: every query is limited,
   * so a page of resources that many others point at ({@code _revinclude=*}) costs no more than that.
   */
  public Included includes(List<Long> from, List<String> specs, List<String> revSpecs, int max) {
    return includes(from, specs, revSpecs, max, org.radbridge.server.store.Visibility.EVERYTHING);
  }

  /** Includes a reader may see: a resource hidden from them is neither added nor followed. */
  public Included includes(List<Long> from, List<String> specs, List<String> revSpecs, int max,
      org.radbridge.server.store.Visibility visibility) {
    Set<Long> seen = new LinkedHashSet<>(from);
    Set<Long> added = new LinkedHashSet<>();
    List<Long> frontier = from;
    boolean first = true;
    boolean cut = false;
    while (!frontier.isEmpty() && !cut) {
      Set<Long> found = new LinkedHashSet<>();
      for (String raw : specs) {
        if (first || raw.startsWith("iterate:")) {
          cut |= collect(found, forward(frontier, strip(raw), max + 1, visibility), max);
        }
      }
      for (String raw : revSpecs) {
        if (first || raw.startsWith("iterate:")) {
          cut |= collect(found, reverse(frontier, strip(raw), max + 1, visibility), max);
        }
      }
      found.removeAll(seen);
      seen.addAll(found);
      added.addAll(found);
      cut |= added.size() > max;
      frontier = new ArrayList<>(found);
      first = false;
    }
    Set<Long> keys = new LinkedHashSet<>();
    for (Long k : added) {
      if (keys.size() == max) {
        break;
      }
      keys.add(k);
    }
    return new Included(keys, !cut);
  }

  /** Adds a query's rows; true when the query hit its limit (there may be more than it returned). */
  private static boolean collect(Set<Long> into, List<Long> rows, int max) {
    into.addAll(rows);
    return rows.size() > max;
  }

  private static String strip(String spec) {
    return spec.startsWith("iterate:") ? spec.substring(8) : spec;
  }

  /** _include: the resources the given ones refer to through the spec's parameter. */
  private List<Long> forward(List<Long> from, String spec, int limit, org.radbridge.server.store.Visibility v) {
    return follow(from, spec, limit, "_include", "SELECT DISTINCT t.res_pk FROM idx_reference x JOIN resource t"
        + " ON t.res_type = x.target_type AND t.res_id = x.target_id AND NOT t.deleted WHERE x.res_pk = ANY (?)",
        "x.target_type", "t", v);
  }

  /** _revinclude: the resources that refer to the given ones through the spec's parameter. */
  private List<Long> reverse(List<Long> to, String spec, int limit, org.radbridge.server.store.Visibility v) {
    return follow(to, spec, limit, "_revinclude", "SELECT DISTINCT x.res_pk FROM resource t JOIN idx_reference x"
        + " ON x.target_type = t.res_type AND x.target_id = t.res_id JOIN resource s ON s.res_pk = x.res_pk"
        + " AND NOT s.deleted WHERE t.res_pk = ANY (?)", "t.res_type", "s", v);
  }

  /** Runs an include query, narrowed by "Type:param[:TargetType]" unless the spec is "*". */
  private List<Long> follow(List<Long> keys, String spec, int limit, String what, String select,
      String targetTypeColumn, String addedAlias, org.radbridge.server.store.Visibility visibility) {
    StringBuilder sql = new StringBuilder(select);
    List<Object> p = new ArrayList<>();
    p.add(new org.radbridge.server.store.SqlArray("bigint", keys.toArray()));
    sql.append(" AND ").append(visibility.predicate(addedAlias, p));
    if (!"*".equals(spec)) {
      String[] parts = spec.split(":");
      if (parts.length < 2) {
        throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
            what + " must be Type:parameter[:TargetType] or *, not '" + spec + "'");
      }
      requireReference(parts[0], parts[1], what);
      sql.append(" AND x.res_type = ? AND x.param = ?");
      p.add(parts[0]);
      p.add(parts[1]);
      if (parts.length > 2) {
        sql.append(" AND ").append(targetTypeColumn).append(" = ?");
        p.add(parts[2]);
      }
    }
    sql.append(" LIMIT ?");
    p.add(limit);
    return query(new SqlQuery(sql.toString(), p), (rs, n) -> rs.getLong(1));
  }

  private void requireReference(String type, String param, String what) {
    if (!registry.isResourceType(type)) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(what + ": unknown resource type '" + type + "'");
    }
    SearchParamRegistry.IndexedParam ip = registry.find(type, param);
    if (ip == null || ip.param().getParamType() != ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum.REFERENCE) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
          what + ": '" + param + "' is not a reference parameter of " + type);
    }
  }

  private <T> List<T> query(SqlQuery q, RowMapper<T> mapper) {
    return jdbc.query(con -> StatementBinder.prepare(con, q.sql(), q.params()), mapper);
  }

}
