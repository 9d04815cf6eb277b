package org.radbridge.server.search;

import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.radbridge.server.search.SearchCriteria.Clause;
import org.radbridge.server.search.SearchParamRegistry.IndexedParam;
import org.springframework.stereotype.Component;

/**
 * The one place where the read side turns search criteria into SQL over the index tables. Each
 * clause becomes a semi-join ({@code r.res_pk IN (SELECT res_pk FROM idx_x WHERE ...)}) whose
 * leading columns match a B-tree index; clauses are AND-ed, a clause's values OR-ed.
 */
@Component
public class SearchSqlBuilder {
  /** Parameters that shape the response rather than select resources. */
  public static final Set<String> RESULT_PARAMS = Set.of("_format", "_pretty", "_summary", "_elements",
      "_count", "_sort", "_include", "_revinclude", "_total", "_contained", "_containedType", "_getpages",
      "_pageId", "_bundletype", "_type", "_include:iterate", "_revinclude:iterate", "_include:recurse", "_revinclude:recurse");

  private final SearchParamRegistry registry;
  private final CustomSearchParameters customSearchParameters;

  /** Whether search on this parameter is built (composite and special ones are not yet). */
  public static boolean isSearchable(IndexedParam p) {
    return switch (p.param().getParamType()) {
      case STRING, TOKEN, REFERENCE, DATE, NUMBER, QUANTITY, URI -> p.hasPath()
          || SearchParamRegistry.RESOURCE_TABLE_PARAMS.contains(p.name());
      default -> false;
    };
  }

  private final String ownBase;

  public SearchSqlBuilder(SearchParamRegistry registry, CustomSearchParameters customSearchParameters,
      org.radbridge.server.RadBridgeProperties props) {
    this.registry = registry;
    this.customSearchParameters = customSearchParameters;
    this.ownBase = SearchValues.ownBase(props.getBaseUrl());
    this.maxChainDepth = props.getLimits().getMaxChainDepth();
  }

  /** Most references a clause may follow (each one a join, each nested _has a subquery). */
  private final int maxChainDepth;

  /** A custom parameter is searchable once its reindex job is done; before, the answer would be partial. */
  private void requireReady(IndexedParam ip) {
    if (ip.customSubject() != null && !customSearchParameters.isReady(ip.customSubject())) {
      throw new InvalidRequestException("Search parameter '" + ip.name() + "' (" + ip.customSubject()
          + ") is still being indexed; see " + ip.customSubject() + "/$reindex-status");
    }
  }

  /** SELECT r.res_pk, r.res_id of the current, not deleted resources of a type that match. */
  public SqlQuery matching(String resourceType, SearchCriteria criteria, int limit) {
    return matching(resourceType, criteria, limit, org.radbridge.server.store.Visibility.EVERYTHING);
  }

  /** The same, for a reader who sees only what {@code visibility} lets them. */
  public SqlQuery matching(String resourceType, SearchCriteria criteria, int limit,
      org.radbridge.server.store.Visibility visibility) {
    resetAliases();
    queryVisibility.set(visibility);
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT r.res_pk, r.res_id FROM resource r WHERE ");
    appendWhere(sql, p, "r", resourceType, criteria.clauses());
    if (!visibility.everything()) {
      sql.append(" AND ").append(visibility.predicate("r", p));
    }
    sql.append(" ORDER BY r.res_pk LIMIT ?");
    p.add(limit);
    return new SqlQuery(sql.toString(), p);
  }

  /**
   * Which of several criteria one resource (by res_pk) satisfies, in one statement: a row with the
   * criterion's index for each that matches. Subscriptions evaluate their criteria this way against
   * the resource just written, inside the writing transaction (its index rows are visible there).
   */
  public SqlQuery matchingAmong(String resourceType, List<SearchCriteria> criteria, long resPk) {
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < criteria.size(); i++) {
      resetAliases();
      if (i > 0) {
        sql.append(" UNION ALL ");
      }
      queryVisibility.set(org.radbridge.server.store.Visibility.EVERYTHING);
      sql.append("SELECT ").append(i).append(" WHERE EXISTS (SELECT 1 FROM resource r WHERE r.res_pk = ? AND ");
      p.add(resPk);
      appendWhere(sql, p, "r", resourceType, criteria.get(i).clauses());
      sql.append(')');
    }
    return new SqlQuery(sql.toString(), p);
  }

  /** A sort key resolved to SQL: the expression, its SQL type, and the direction. */
  record SortColumn(String expression, String sqlType, boolean descending, List<Object> params) {}

  /**
   * One page of a search: ids in sort order, walking by keyset after (or, backwards, before) the
   * cursor. {@code maxPk} bounds the result to resources that existed at the first page.
   * Selects res_pk, res_id and the text of each sort value (for the next cursor).
   */
  public SqlQuery page(String type, List<Clause> clauses, List<SortKey> sort, long maxPk, List<String> cursor,
      boolean backwards, int limit, org.radbridge.server.store.Visibility visibility) {
    resetAliases();
    queryVisibility.set(visibility);
    List<SortColumn> cols = sortColumns(type, sort);
    List<Object> p = new ArrayList<>();
    StringBuilder select = new StringBuilder("SELECT r.res_pk, r.res_id");
    for (SortColumn col : cols) {
      select.append(", (").append(col.expression()).append(")::text");
      p.addAll(col.params());
    }
    StringBuilder sql = new StringBuilder(select).append(" FROM resource r WHERE ");
    appendTypesWhere(sql, p, type, clauses);
    sql.append(" AND ").append(visibility.predicate("r", p));
    sql.append(" AND r.res_pk <= ?");
    p.add(maxPk);
    if (cursor != null) {
      sql.append(" AND (");
      appendKeyset(sql, p, cols, cursor, backwards);
      sql.append(')');
    }
    sql.append(" ORDER BY ");
    for (SortColumn col : cols) {
      sql.append('(').append(col.expression()).append(')').append(col.descending() != backwards ? " DESC" : " ASC").append(", ");
      p.addAll(col.params());
    }
    sql.append("r.res_pk").append(backwards ? " DESC" : " ASC").append(" LIMIT ?");
    p.add(limit);
    return new SqlQuery(sql.toString(), p);
  }

  /**
   * A sort on one date parameter of one type is answered by walking that parameter's index in
   * page order (ix_date_low ascending, ix_date_high descending) and stopping after the page,
   * instead of computing every match's sort key. Empty for any other sort.
   */
  public java.util.Optional<IndexedParam> dateSortParam(String type, List<SortKey> sort) {
    if (sort.size() != 1 || type == null || type.contains(",")
        || SearchParamRegistry.RESOURCE_TABLE_PARAMS.contains(sort.get(0).param())) {
      return java.util.Optional.empty();
    }
    IndexedParam ip = registry.find(type, sort.get(0).param());
    if (ip == null || ip.param().getParamType() != RestSearchParameterTypeEnum.DATE) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(ip);
  }

  /** The sort value text of a resource that has no value of the sort parameter (it sorts last). */
  public static String missingDateText(boolean descending) {
    return descending ? "-infinity" : "infinity";
  }

  /**
   * Matches that have a value, in page order of their earliest (ascending) or latest (descending)
   * value, each resource once (on its extreme row), after the cursor (value text, res_pk).
   */
  public SqlQuery dateSortDriving(String type, List<Clause> clauses, SortKey key, long maxPk, String cursorValue,
      Long cursorPk, boolean backwards, int limit, org.radbridge.server.store.Visibility visibility) {
    resetAliases();
    queryVisibility.set(visibility);
    boolean desc = key.descending();
    String col = desc ? "high" : "low";
    // forward: asc -> low ASC, res_pk ASC; desc -> high DESC, res_pk ASC; backwards reverses both
    boolean valueDescending = desc != backwards;
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT r.res_pk, r.res_id, s." + col + "::text FROM idx_date s"
        + " JOIN resource r ON r.res_pk = s.res_pk WHERE s.res_type = ? AND s.param = ? AND ");
    p.add(type);
    p.add(key.param());
    appendWhere(sql, p, "r", type, clauses);
    sql.append(" AND ").append(visibility.predicate("r", p));
    sql.append(" AND r.res_pk <= ?");
    p.add(maxPk);
    // the row that carries the resource's extreme value (ties broken by row position)
    sql.append(" AND NOT EXISTS (SELECT 1 FROM idx_date s2 WHERE s2.res_pk = s.res_pk AND s2.param = s.param AND (s2.")
        .append(col).append(desc ? " > s." : " < s.").append(col).append(" OR (s2.").append(col).append(" = s.").append(col)
        .append(" AND s2.ctid > s.ctid)))");
    if (cursorValue != null) {
      sql.append(" AND (s.").append(col).append(valueDescending ? " < " : " > ").append("?::timestamptz OR (s.").append(col)
          .append(" = ?::timestamptz AND s.res_pk ").append(backwards ? "<" : ">").append(" ?))");
      p.add(cursorValue);
      p.add(cursorValue);
      p.add(cursorPk);
    }
    sql.append(" ORDER BY s.").append(col).append(valueDescending ? " DESC" : " ASC").append(", s.res_pk")
        .append(backwards ? " DESC" : " ASC").append(" LIMIT ?");
    p.add(limit);
    return new SqlQuery(sql.toString(), p);
  }

  /** Matches without a value of the sort parameter, by res_pk, after (or before) the cursor. */
  public SqlQuery dateSortMissing(String type, List<Clause> clauses, SortKey key, long maxPk, Long cursorPk,
      boolean backwards, int limit, org.radbridge.server.store.Visibility visibility) {
    resetAliases();
    queryVisibility.set(visibility);
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT r.res_pk, r.res_id, ? FROM resource r WHERE ");
    p.add(missingDateText(key.descending()));
    appendWhere(sql, p, "r", type, clauses);
    sql.append(" AND ").append(visibility.predicate("r", p));
    sql.append(" AND r.res_pk <= ? AND NOT EXISTS (SELECT 1 FROM idx_date x WHERE x.res_pk = r.res_pk AND x.param = ?)");
    p.add(maxPk);
    p.add(key.param());
    if (cursorPk != null) {
      sql.append(" AND r.res_pk ").append(backwards ? "<" : ">").append(" ?");
      p.add(cursorPk);
    }
    sql.append(" ORDER BY r.res_pk").append(backwards ? " DESC" : " ASC").append(" LIMIT ?");
    p.add(limit);
    return new SqlQuery(sql.toString(), p);
  }

  /** SELECT count(*) of the matches that existed at the first page. */
  public SqlQuery count(String type, List<Clause> clauses, long maxPk, org.radbridge.server.store.Visibility visibility) {
    resetAliases();
    queryVisibility.set(visibility);
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT count(*) FROM resource r WHERE ");
    appendTypesWhere(sql, p, type, clauses);
    sql.append(" AND ").append(visibility.predicate("r", p));
    sql.append(" AND r.res_pk <= ?");
    p.add(maxPk);
    return new SqlQuery(sql.toString(), p);
  }

  /** (k1 > v1) OR (k1 = v1 AND k2 < v2) OR ... OR (all equal AND res_pk > pk), per direction. */
  private static void appendKeyset(StringBuilder sql, List<Object> p, List<SortColumn> cols, List<String> cursor,
      boolean backwards) {
    if (cursor.size() != cols.size() + 1) {
      throw new InvalidRequestException("Invalid or damaged paging link");
    }
    for (int i = 0; i <= cols.size(); i++) {
      if (i > 0) sql.append(" OR ");
      sql.append('(');
      for (int j = 0; j < i; j++) {
        SortColumn c = cols.get(j);
        sql.append('(').append(c.expression()).append(") = ?::").append(c.sqlType()).append(" AND ");
        p.addAll(c.params());
        p.add(cursor.get(j));
      }
      if (i < cols.size()) {
        SortColumn c = cols.get(i);
        boolean greater = c.descending() == backwards;
        sql.append('(').append(c.expression()).append(greater ? ") > ?::" : ") < ?::").append(c.sqlType());
        p.addAll(c.params());
        p.add(cursor.get(i));
      } else {
        sql.append(backwards ? "r.res_pk < ?" : "r.res_pk > ?");
        p.add(Long.parseLong(cursor.get(cols.size())));
      }
      sql.append(')');
    }
  }

  List<SortColumn> sortColumns(String type, List<SortKey> sort) {
    List<SortColumn> cols = new ArrayList<>();
    for (SortKey k : sort) {
      boolean d = k.descending();
      switch (k.param()) {
        case "_id" -> cols.add(new SortColumn("r.res_id", "text", d, List.of()));
        case "_lastUpdated" -> cols.add(new SortColumn("r.last_updated", "timestamptz", d, List.of()));
        default -> {
          IndexedParam ip = type == null || type.contains(",") ? null : registry.find(type, k.param());
          if (ip == null) {
            throw new InvalidRequestException("Unknown sort parameter '" + k.param() + "' for resource type " + type);
          }
          String agg = d ? "max" : "min";
          // resources without a value sort last in both directions
          String col;
          String table;
          String sqlType;
          String missing;
          switch (ip.param().getParamType()) {
            case STRING -> { table = "idx_string"; col = "value_norm"; sqlType = "text"; missing = d ? "''" : "chr(1114111)"; }
            case TOKEN -> { table = "idx_token"; col = "code"; sqlType = "text"; missing = d ? "''" : "chr(1114111)"; }
            case REFERENCE -> { table = "idx_reference"; col = "coalesce(target_type || '/' || target_id, target_url)"; sqlType = "text"; missing = d ? "''" : "chr(1114111)"; }
            case URI -> { table = "idx_uri"; col = "uri"; sqlType = "text"; missing = d ? "''" : "chr(1114111)"; }
            case DATE -> { table = "idx_date"; col = d ? "high" : "low"; sqlType = "timestamptz"; missing = d ? "'-infinity'::timestamptz" : "'infinity'::timestamptz"; }
            case NUMBER -> { table = "idx_number"; col = "value"; sqlType = "numeric"; missing = d ? "'-Infinity'::numeric" : "'Infinity'::numeric"; }
            case QUANTITY -> { table = "idx_quantity"; col = "value"; sqlType = "numeric"; missing = d ? "'-Infinity'::numeric" : "'Infinity'::numeric"; }
            default -> throw new InvalidRequestException("Cannot sort on '" + k.param() + "' of type "
                + ip.param().getParamType().getCode());
          }
          String textCast = "text".equals(sqlType) ? " COLLATE \"C\"" : "";
          cols.add(new SortColumn("coalesce((SELECT " + agg + "(" + col + ")" + textCast + " FROM " + table
              + " x WHERE x.res_pk = r.res_pk AND x.param = ?), " + missing + ")", sqlType, d, List.of(k.param())));
        }
      }
    }
    return cols;
  }

  /**
   * WHERE for one type ("Patient"), several ("Patient,Group": each type's clauses OR-ed), or all
   * (null: only the parameters every type has).
   */
  private void appendTypesWhere(StringBuilder sql, List<Object> p, String typeSpec, List<Clause> clauses) {
    if (typeSpec == null || !typeSpec.contains(",")) {
      appendWhere(sql, p, "r", typeSpec, clauses);
      return;
    }
    sql.append('(');
    String[] types = typeSpec.split(",");
    for (int i = 0; i < types.length; i++) {
      if (i > 0) sql.append(" OR ");
      sql.append('(');
      appendWhere(sql, p, "r", types[i], clauses);
      sql.append(')');
    }
    sql.append(')');
  }

  /** "alias.res_type = ? AND NOT alias.deleted AND (clause) AND ..." for the filtering clauses. */
  void appendWhere(StringBuilder sql, List<Object> p, String alias, String type, List<Clause> clauses) {
    if (type == null) {
      sql.append("NOT ").append(alias).append(".deleted");
    } else {
      sql.append(alias).append(".res_type = ? AND NOT ").append(alias).append(".deleted");
      p.add(type);
    }
    for (Clause c : clauses) {
      if (RESULT_PARAMS.contains(c.name())) {
        continue;
      }
      sql.append(" AND ");
      appendClause(sql, p, alias, type, c);
    }
  }

  /**
   * Aliases numbered from 1 in each statement, so the same search always yields the same SQL
   * text (and the driver's prepared-statement cache and PostgreSQL's plan cache can serve it).
   */
  private final ThreadLocal<int[]> aliasSeq = ThreadLocal.withInitial(() -> new int[1]);
  /**
   * The reader of the query being built: chains and {@code _has} join other resources, and a
   * resource the reader may not see must not decide a match either (it would tell its values).
   */
  private final ThreadLocal<org.radbridge.server.store.Visibility> queryVisibility =
      ThreadLocal.withInitial(() -> org.radbridge.server.store.Visibility.EVERYTHING);

  /** The reader's predicate on a joined resource, followed by AND; nothing for a reader who sees everything. */
  private void appendJoinedVisibility(StringBuilder sql, List<Object> p, String alias) {
    org.radbridge.server.store.Visibility v = queryVisibility.get();
    if (!v.everything()) {
      sql.append(v.predicate(alias, p)).append(" AND ");
    }
  }

  private void resetAliases() {
    aliasSeq.get()[0] = 0;
  }

  private String nextAlias() {
    return "t" + (++aliasSeq.get()[0]);
  }

  private void appendClause(StringBuilder sql, List<Object> p, String alias, String type, Clause c) {
    int depth = c.referenceDepth();
    if (depth > maxChainDepth) {
      throw new InvalidRequestException("Search parameter '" + SearchCriteria.abbreviated(c.rawName()) + "' follows "
          + depth + " references through chains and _has; at most " + maxChainDepth
          + " are allowed (radbridge.limits.max-chain-depth)");
    }
    if ("_has".equals(c.name())) {
      appendHas(sql, p, alias, type, c);
      return;
    }
    if (c.name().contains(".") || (c.modifier() != null && c.modifier().contains("."))) {
      appendChain(sql, p, alias, type, c);
      return;
    }
    if ("_id".equals(c.name())) {
      requireNoModifier(c, "missing");
      if ("missing".equals(c.modifier())) {
        sql.append("true".equals(c.values().get(0)) ? "false" : "true");
        return;
      }
      sql.append(alias).append(".res_id = ANY (?)");
      p.add(new org.radbridge.server.store.SqlArray("varchar", c.values().toArray()));
      return;
    }
    if ("_lastUpdated".equals(c.name())) {
      sql.append('(');
      for (int i = 0; i < c.values().size(); i++) {
        if (i > 0) sql.append(" OR ");
        appendDate(sql, p, alias + ".last_updated", alias + ".last_updated", c.values().get(i));
      }
      sql.append(')');
      return;
    }
    if ("_compartment".equals(c.name())) {
      appendCompartment(sql, p, alias, type, c);
      return;
    }
    if ("_everything".equals(c.name()) && type == null) {
      appendEverything(sql, p, alias, c);
      return;
    }
    IndexedParam ip = type == null ? commonParam(c.name()) : registry.find(type, c.name());
    if (ip == null) {
      throw new InvalidRequestException("Unknown search parameter '" + c.name() + "' for "
          + (type == null ? "a search across all resource types (give _type)" : "resource type " + type));
    }
    requireReady(ip);
    RestSearchParameterTypeEnum kind = ip.param().getParamType();
    String table = tableFor(kind, c);
    String param = c.name();
    if ("missing".equals(c.modifier())) {
      boolean missing = parseBoolean(c, c.values().get(0));
      sql.append(missing ? "NOT " : "").append("EXISTS (SELECT 1 FROM ").append(table)
          .append(" x WHERE x.res_pk = ").append(alias).append(".res_pk AND x.param = ?)");
      p.add(param);
      return;
    }
    // modifiers answered from rows of their own: identifier:of-type, reference:identifier
    if (kind == RestSearchParameterTypeEnum.TOKEN && "of-type".equals(c.modifier())) {
      param = c.name() + ":of-type";
    } else if (kind == RestSearchParameterTypeEnum.REFERENCE && "identifier".equals(c.modifier())) {
      param = c.name() + ":identifier";
      table = "idx_token";
      kind = RestSearchParameterTypeEnum.TOKEN;
      c = new Clause(c.name(), null, c.values());
    }
    boolean negate = kind == RestSearchParameterTypeEnum.TOKEN && "not".equals(c.modifier());
    sql.append(alias).append(".res_pk ").append(negate ? "NOT IN" : "IN").append(" (SELECT x.res_pk FROM ").append(table)
        .append(" x WHERE ");
    if (type != null) {
      sql.append("x.res_type = ? AND ");
      p.add(type);
    }
    sql.append("x.param = ? AND (");
    p.add(param);
    for (int i = 0; i < c.values().size(); i++) {
      if (i > 0) sql.append(" OR ");
      String v = c.values().get(i);
      try {
        switch (kind) {
          case STRING -> appendString(sql, p, c, v);
          case TOKEN -> appendToken(sql, p, c, v);
          case REFERENCE -> appendReference(sql, p, c, v);
          case DATE -> appendDate(sql, p, "x.low", "x.high", v);
          case NUMBER -> appendNumber(sql, p, "x.value", c, v);
          case QUANTITY -> appendQuantity(sql, p, c, v);
          case URI -> appendUri(sql, p, c, v);
          default -> throw new InvalidRequestException("Search parameter '" + c.name() + "' of type "
              + kind.getCode() + " is not supported");
        }
      } catch (InvalidRequestException e) {
        if (kind == RestSearchParameterTypeEnum.DATE || kind == RestSearchParameterTypeEnum.NUMBER
            || kind == RestSearchParameterTypeEnum.QUANTITY) {
          // a value's own message says what is wrong with it; this says where it was
          throw new InvalidRequestException("Search parameter '" + c.rawName() + "': " + e.getMessage());
        }
        throw e;
      }
    }
    sql.append("))");
  }

  /** Parameters every resource type has (_tag, _profile, _security, _source), for type-less search. */
  private IndexedParam commonParam(String name) {
    return name.startsWith("_") ? registry.find("Basic", name) : null;
  }

  /**
   * Membership of the compartment {@code Patient/123} ({@code _compartment} is set by compartment
   * search): the resource refers to it through a parameter that R4's CompartmentDefinition names,
   * or is the compartment's own resource.
   */
  private void appendCompartment(StringBuilder sql, List<Object> p, String alias, String type, Clause c) {
    org.hl7.fhir.r4.model.IdType owner = new org.hl7.fhir.r4.model.IdType(c.values().get(0));
    String ownerType = owner.getResourceType();
    List<String> params = compartmentParams(type, ownerType);
    sql.append('(');
    if (ownerType.equals(type)) {
      sql.append(alias).append(".res_id = ? OR ");
      p.add(owner.getIdPart());
    }
    if (params.isEmpty()) {
      sql.append("false)");
      return;
    }
    sql.append(alias).append(".res_pk IN (SELECT x.res_pk FROM idx_reference x WHERE x.res_type = ? AND x.param = ANY (?)"
        + " AND x.target_type = ? AND x.target_id = ?))");
    p.add(type);
    p.add(new org.radbridge.server.store.SqlArray("varchar", params.toArray()));
    p.add(ownerType);
    p.add(owner.getIdPart());
  }

  /**
   * Everything in a compartment, across all types ({@code Patient/123/$everything}): the owner and
   * every resource that refers to it through a compartment-membership parameter.
   */
  private void appendEverything(StringBuilder sql, List<Object> p, String alias, Clause c) {
    org.hl7.fhir.r4.model.IdType owner = new org.hl7.fhir.r4.model.IdType(c.values().get(0));
    List<String> types = new ArrayList<>();
    List<String> params = new ArrayList<>();
    for (String t : registry.resourceTypes()) {
      for (String param : compartmentParams(t, owner.getResourceType())) {
        types.add(t);
        params.add(param);
      }
    }
    sql.append("((").append(alias).append(".res_type = ? AND ").append(alias).append(".res_id = ?) OR ")
        .append(alias).append(".res_pk IN (SELECT x.res_pk FROM unnest(?::varchar[], ?::varchar[]) m(res_type, param)"
            + " JOIN idx_reference x ON x.res_type = m.res_type AND x.param = m.param"
            + " WHERE x.target_id = ? AND x.target_type = ?))");
    p.add(owner.getResourceType());
    p.add(owner.getIdPart());
    p.add(new org.radbridge.server.store.SqlArray("varchar", types.toArray()));
    p.add(new org.radbridge.server.store.SqlArray("varchar", params.toArray()));
    p.add(owner.getIdPart());
    p.add(owner.getResourceType());
  }

  /** The reference parameters of a type that put it into a compartment of the owner type. */
  public List<String> compartmentParams(String type, String ownerType) {
    List<String> out = new ArrayList<>();
    for (IndexedParam ip : registry.indexedParamsFor(type)) {
      var members = ip.param().getProvidesMembershipInCompartments();
      if (members != null && members.contains(ownerType)) {
        out.add(ip.name());
      }
    }
    return out;
  }

  /** Whether a clause names a parameter this type has (for lenient handling of unknown ones). */
  public boolean isKnown(String type, Clause c) {
    String name = c.name();
    if (RESULT_PARAMS.contains(name) || "_has".equals(name) || "_compartment".equals(name) || "_everything".equals(name)
        || SearchParamRegistry.RESOURCE_TABLE_PARAMS.contains(name)) {
      return true;
    }
    int dot = name.indexOf('.');
    String head = dot < 0 ? name : name.substring(0, dot);
    return type == null ? commonParam(head) != null : registry.find(type, head) != null;
  }

  /**
   * Chained parameter {@code subject:Patient.identifier=...}: the reference rows of this resource
   * whose target is a resource matching the rest of the chain (which may chain again).
   */
  private void appendChain(StringBuilder sql, List<Object> p, String alias, String type, Clause c) {
    String raw = c.rawName();
    int dot = raw.indexOf('.');
    String head = raw.substring(0, dot);
    String rest = raw.substring(dot + 1);
    String refName = head.contains(":") ? head.substring(0, head.indexOf(':')) : head;
    String typeModifier = head.contains(":") ? head.substring(head.indexOf(':') + 1) : null;
    IndexedParam ip = registry.find(type, refName);
    if (ip == null) {
      throw new InvalidRequestException("Unknown search parameter '" + refName + "' for resource type " + type);
    }
    if (ip.param().getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
      throw new InvalidRequestException("Cannot chain on '" + refName + "': it is not a reference parameter");
    }
    List<String> targets = new ArrayList<>();
    if (typeModifier != null) {
      targets.add(typeModifier);
    } else {
      targets.addAll(ip.param().getTargets());
    }
    int colon = rest.indexOf(':');
    String nextName = rest;
    String nextModifier = null;
    if (colon >= 0 && (rest.indexOf('.') < 0 || colon < rest.indexOf('.'))) {
      nextName = rest.substring(0, colon);
      nextModifier = rest.substring(colon + 1);
    }
    Clause next = new Clause(nextName, nextModifier, c.values());
    List<String> usable = new ArrayList<>();
    for (String t : targets) {
      if (t.equals("Resource") || registry.paramsFor(t).containsKey(firstName(next)) || firstName(next).startsWith("_")) {
        usable.add(t);
      }
    }
    if (usable.isEmpty()) {
      throw new InvalidRequestException("Chained parameter '" + raw + "': no target type of '" + refName
          + "' has a search parameter '" + firstName(next) + "'");
    }
    // driven from the targets: each target type's matches (few, found by their own indexes) are
    // joined to the reference rows that point at them; one UNION ALL branch per target type
    sql.append(alias).append(".res_pk IN (");
    for (int i = 0; i < usable.size(); i++) {
      String t = usable.get(i);
      String ta = nextAlias();
      if (i > 0) sql.append(" UNION ALL ");
      sql.append("SELECT x.res_pk FROM resource ").append(ta).append(" JOIN idx_reference x ON x.res_type = ? AND x.param = ?")
          .append(" AND x.target_type = ").append(ta).append(".res_type AND x.target_id = ").append(ta).append(".res_id WHERE ");
      p.add(type);
      p.add(refName);
      appendJoinedVisibility(sql, p, ta);
      appendWhere(sql, p, ta, t, List.of(next));
    }
    sql.append(")");
  }

  private static String firstName(Clause c) {
    String n = c.name();
    int dot = n.indexOf('.');
    return dot < 0 ? n : n.substring(0, dot);
  }

  /**
   * Reverse chain {@code _has:Observation:patient:code=1234}: resources that an Observation
   * matching {@code code=1234} references through its {@code patient} parameter.
   */
  private void appendHas(StringBuilder sql, List<Object> p, String alias, String type, Clause c) {
    String mod = c.modifier();
    String[] parts = mod == null ? new String[0] : mod.split(":", 3);
    if (parts.length < 3) {
      throw new InvalidRequestException("_has needs the form _has:Type:reference:parameter, not '" + c.rawName() + "'");
    }
    String otherType = parts[0];
    String refName = parts[1];
    String rest = parts[2];
    if (!registry.isResourceType(otherType)) {
      throw new InvalidRequestException("Unknown resource type '" + otherType + "' in " + c.rawName());
    }
    IndexedParam ip = registry.find(otherType, refName);
    if (ip == null || ip.param().getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
      throw new InvalidRequestException("'" + refName + "' is not a reference parameter of " + otherType);
    }
    Clause next;
    if (rest.startsWith("_has:")) {
      next = new Clause("_has", rest.substring(5), c.values());
    } else {
      int colon = rest.indexOf(':');
      next = colon < 0 ? new Clause(rest, null, c.values())
          : new Clause(rest.substring(0, colon), rest.substring(colon + 1), c.values());
    }
    String oa = nextAlias();
    sql.append(alias).append(".res_id IN (SELECT x.target_id FROM idx_reference x JOIN resource ").append(oa)
        .append(" ON ").append(oa).append(".res_pk = x.res_pk WHERE x.res_type = ? AND x.param = ? AND x.target_type = ? AND ");
    p.add(otherType);
    p.add(refName);
    p.add(type);
    appendJoinedVisibility(sql, p, oa);
    appendWhere(sql, p, oa, otherType, List.of(next));
    sql.append(")");
  }

  private static String tableFor(RestSearchParameterTypeEnum kind, Clause c) {
    return switch (kind) {
      case STRING -> "idx_string";
      case TOKEN -> "idx_token";
      case REFERENCE -> "idx_reference";
      case DATE -> "idx_date";
      case NUMBER -> "idx_number";
      case QUANTITY -> "idx_quantity";
      case URI -> "idx_uri";
      default -> throw new InvalidRequestException("Search parameter '" + c.name() + "' of type "
          + kind.getCode() + " is not supported");
    };
  }

  private static void requireNoModifier(Clause c, String... allowed) {
    if (c.modifier() != null && !Set.of(allowed).contains(c.modifier())) {
      throw new InvalidRequestException("Modifier ':" + c.modifier() + "' is not supported on '" + c.name() + "'");
    }
  }

  private static boolean parseBoolean(Clause c, String v) {
    if ("true".equals(v)) return true;
    if ("false".equals(v)) return false;
    throw new InvalidRequestException("':missing' on '" + c.name() + "' takes true or false, not '" + v + "'");
  }

  private static void appendString(StringBuilder sql, List<Object> p, Clause c, String v) {
    requireNoModifier(c, "exact", "contains");
    if ("exact".equals(c.modifier())) {
      sql.append("x.value_exact = ?");
      p.add(v);
    } else if ("contains".equals(c.modifier())) {
      sql.append("x.value_norm LIKE ?");
      p.add("%" + escapeLike(SearchValues.normalise(v)) + "%");
    } else {
      sql.append("x.value_norm LIKE ?");
      p.add(escapeLike(SearchValues.normalise(v)) + "%");
    }
  }

  private static void appendToken(StringBuilder sql, List<Object> p, Clause c, String v) {
    requireNoModifier(c, "not", "text", "of-type");
    if ("of-type".equals(c.modifier())) {
      // [type system]|[type code]|[identifier value]
      String[] parts = v.split("\\|", 3);
      if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw new InvalidRequestException(":of-type takes system|code|value, not '" + v + "'");
      }
      sql.append("(x.code = ? AND x.system = ?)");
      p.add(parts[1] + "|" + parts[2]);
      p.add(parts[0]);
      return;
    }
    if ("text".equals(c.modifier())) {
      sql.append("x.text_norm LIKE ?");
      p.add(escapeLike(SearchValues.normalise(v)) + "%");
      return;
    }
    int bar = indexOfUnescaped(v, '|');
    if (bar < 0) {
      sql.append("x.code = ?");
      p.add(SearchValues.clip(unescape(v), SearchValues.MAX_TOKEN_LENGTH));
    } else {
      String system = SearchValues.clip(unescape(v.substring(0, bar)), SearchValues.MAX_TOKEN_LENGTH);
      String code = SearchValues.clip(unescape(v.substring(bar + 1)), SearchValues.MAX_TOKEN_LENGTH);
      if (system.isEmpty()) {
        sql.append("(x.code = ? AND x.system IS NULL)");
        p.add(code);
      } else if (code.isEmpty()) {
        sql.append("x.system = ?");
        p.add(system);
      } else {
        sql.append("(x.code = ? AND x.system = ?)");
        p.add(code);
        p.add(system);
      }
    }
  }

  private void appendReference(StringBuilder sql, List<Object> p, Clause c, String v) {
    String typeModifier = c.modifier();
    if (typeModifier != null && !Character.isUpperCase(typeModifier.charAt(0))) {
      throw new InvalidRequestException("Modifier ':" + typeModifier + "' is not supported on '" + c.name() + "'");
    }
    if (typeModifier != null && !registry.isResourceType(typeModifier)) {
      throw new InvalidRequestException("Type modifier ':" + SearchCriteria.abbreviated(typeModifier) + "' on '"
          + c.name() + "' names no resource type");
    }
    if (ownBase != null && v.startsWith(ownBase)) {
      v = v.substring(ownBase.length());
    }
    if (v.startsWith("http://") || v.startsWith("https://") || v.startsWith("urn:")) {
      sql.append("x.target_url = ?");
      p.add(SearchValues.clip(v, SearchValues.MAX_URI_LENGTH));
      return;
    }
    IdType id = new IdType(v);
    String targetType = id.hasResourceType() ? id.getResourceType() : typeModifier;
    if (targetType != null) {
      sql.append("(x.target_id = ? AND x.target_type = ?)");
      p.add(id.getIdPart());
      p.add(targetType);
    } else {
      sql.append("x.target_id = ?");
      p.add(id.getIdPart());
    }
  }

  /** FHIR date comparison of a stored range [low, high] against the range the search value covers. */
  private static void appendDate(StringBuilder sql, List<Object> p, String low, String high, String raw) {
    String prefix = prefixOf(raw);
    String value = prefix == null ? raw : raw.substring(2);
    Instant[] s;
    try {
      s = SearchValues.range(new DateTimeType(value));
    } catch (Exception e) {
      throw new InvalidRequestException("Invalid date/time value '" + raw + "': " + e.getMessage());
    }
    if (s == null) {
      throw new InvalidRequestException("Invalid date/time value '" + raw + "'");
    }
    String op = prefix == null ? "eq" : prefix;
    switch (op) {
      case "eq" -> { sql.append("(" + low + " >= ? AND " + high + " <= ?)"); p.add(s[0]); p.add(s[1]); }
      case "ne" -> { sql.append("(" + low + " < ? OR " + high + " > ?)"); p.add(s[0]); p.add(s[1]); }
      case "gt", "sa" -> { sql.append(("gt".equals(op) ? high : low) + " > ?"); p.add(s[1]); }
      case "lt", "eb" -> { sql.append(("lt".equals(op) ? low : high) + " < ?"); p.add(s[0]); }
      case "ge" -> { sql.append(high + " >= ?"); p.add(s[0]); }
      case "le" -> { sql.append(low + " <= ?"); p.add(s[1]); }
      case "ap" -> {
        // approximately: within 10% of the distance between now and the value (at least a day)
        long gapMillis = Math.abs(Instant.now().toEpochMilli() - s[0].toEpochMilli());
        long slack = Math.max(86_400_000L, gapMillis / 10);
        sql.append("(" + low + " <= ? AND " + high + " >= ?)");
        p.add(s[1].plusMillis(slack));
        p.add(s[0].minusMillis(slack));
      }
      default -> throw new InvalidRequestException("Unknown prefix '" + op + "' in '" + raw + "'");
    }
  }

  private static final Set<String> PREFIXES = Set.of("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap");

  private static String prefixOf(String raw) {
    if (raw.length() > 2 && Character.isLetter(raw.charAt(0)) && Character.isLetter(raw.charAt(1))) {
      String pre = raw.substring(0, 2);
      if (PREFIXES.contains(pre)) {
        return pre;
      }
    }
    return null;
  }

  private static void appendNumber(StringBuilder sql, List<Object> p, String col, Clause c, String raw) {
    requireNoModifier(c);
    String prefix = prefixOf(raw);
    BigDecimal n = parseDecimal(prefix == null ? raw : raw.substring(2), raw);
    appendNumberCompare(sql, p, col, prefix == null ? "eq" : prefix, n, raw);
  }

  private static void appendNumberCompare(StringBuilder sql, List<Object> p, String col, String op,
      BigDecimal n, String raw) {
    // the implied precision of the search value: 100 means [99.5, 100.5)
    BigDecimal half = BigDecimal.ONE.movePointLeft(Math.max(n.scale(), 0)).divide(BigDecimal.valueOf(2));
    switch (op) {
      case "eq" -> { sql.append("(" + col + " >= ? AND " + col + " < ?)"); p.add(n.subtract(half)); p.add(n.add(half)); }
      case "ne" -> { sql.append("(" + col + " < ? OR " + col + " >= ?)"); p.add(n.subtract(half)); p.add(n.add(half)); }
      case "gt", "sa" -> { sql.append(col + " > ?"); p.add(n); }
      case "lt", "eb" -> { sql.append(col + " < ?"); p.add(n); }
      case "ge" -> { sql.append(col + " >= ?"); p.add(n); }
      case "le" -> { sql.append(col + " <= ?"); p.add(n); }
      case "ap" -> {
        BigDecimal slack = n.abs().divide(BigDecimal.TEN).max(half);
        sql.append("(" + col + " >= ? AND " + col + " <= ?)");
        p.add(n.subtract(slack));
        p.add(n.add(slack));
      }
      default -> throw new InvalidRequestException("Unknown prefix '" + op + "' in '" + raw + "'");
    }
  }

  private static BigDecimal parseDecimal(String s, String raw) {
    BigDecimal n;
    try {
      n = new BigDecimal(s);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("Invalid number '" + SearchCriteria.abbreviated(raw) + "'");
    }
    // no stored number lies beyond PostgreSQL's numeric range; comparing with one would cost gigabytes
    if (n.scale() > 16383 || (long) n.precision() - n.scale() > 131072) {
      throw new InvalidRequestException("The number '" + SearchCriteria.abbreviated(raw) + "' is beyond the range"
          + " of stored numbers (at most 131072 digits before the decimal point and 16383 after it)");
    }
    return n;
  }

  private static void appendQuantity(StringBuilder sql, List<Object> p, Clause c, String raw) {
    requireNoModifier(c);
    // [prefix]number|system|code, the system and code optional
    String[] parts = raw.split("\\|", -1);
    String prefix = prefixOf(parts[0]);
    BigDecimal n = parseDecimal(prefix == null ? parts[0] : parts[0].substring(2), raw);
    sql.append('(');
    appendNumberCompare(sql, p, "x.value", prefix == null ? "eq" : prefix, n, raw);
    if (parts.length == 3) {
      String system = parts[1];
      String code = parts[2];
      if (!system.isEmpty()) {
        sql.append(" AND x.system = ?");
        p.add(system);
      }
      if (!code.isEmpty()) {
        sql.append(system.isEmpty() ? " AND (x.code = ? OR x.unit = ?)" : " AND x.code = ?");
        p.add(code);
        if (system.isEmpty()) p.add(code);
      }
    } else if (parts.length != 1) {
      throw new InvalidRequestException("Invalid quantity '" + raw + "': expected number|system|code");
    }
    sql.append(')');
  }

  private static void appendUri(StringBuilder sql, List<Object> p, Clause c, String v) {
    requireNoModifier(c, "below", "above");
    if ("below".equals(c.modifier())) {
      // below by path segment: the URI itself or anything under it
      String stem = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
      sql.append("(x.uri = ? OR x.uri LIKE ?)");
      p.add(stem);
      p.add(escapeLike(stem) + "/%");
    } else if ("above".equals(c.modifier())) {
      // above by path segment: the URI itself or any that it lies under
      sql.append("(x.uri = ? OR ? LIKE (replace(replace(replace(x.uri, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '/%'))");
      p.add(v);
      p.add(v);
    } else {
      sql.append("x.uri = ?");
      p.add(v);
    }
  }

  static int indexOfUnescaped(String s, char ch) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.charAt(i) == ch) {
        return i;
      }
    }
    return -1;
  }

  static String unescape(String s) {
    return SearchCriteria.unescape(s);
  }

  static String escapeLike(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
