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
      "_pageId", "_bundletype");

  private final SearchParamRegistry registry;

  public SearchSqlBuilder(SearchParamRegistry registry) {
    this.registry = registry;
  }

  /** SELECT r.res_pk, r.res_id of the current, not deleted resources of a type that match. */
  public SqlQuery matching(String resourceType, SearchCriteria criteria, int limit) {
    List<Object> p = new ArrayList<>();
    StringBuilder sql = new StringBuilder(
        "SELECT r.res_pk, r.res_id FROM resource r WHERE r.res_type = ? AND NOT r.deleted");
    p.add(resourceType);
    for (Clause c : criteria.clauses()) {
      if (RESULT_PARAMS.contains(c.name())) {
        continue;
      }
      sql.append(" AND ");
      appendClause(sql, p, resourceType, c);
    }
    sql.append(" ORDER BY r.res_pk LIMIT ?");
    p.add(limit);
    return new SqlQuery(sql.toString(), p);
  }

  private void appendClause(StringBuilder sql, List<Object> p, String type, Clause c) {
    if ("_id".equals(c.name())) {
      requireNoModifier(c, "missing");
      if ("missing".equals(c.modifier())) {
        sql.append("true".equals(c.values().get(0)) ? "false" : "true");
        return;
      }
      sql.append("r.res_id = ANY (?)");
      p.add(new org.radbridge.server.store.SqlArray("varchar", c.values().toArray()));
      return;
    }
    if ("_lastUpdated".equals(c.name())) {
      sql.append('(');
      for (int i = 0; i < c.values().size(); i++) {
        if (i > 0) sql.append(" OR ");
        appendDate(sql, p, "r.last_updated", "r.last_updated", c.values().get(i));
      }
      sql.append(')');
      return;
    }
    IndexedParam ip = registry.find(type, c.name());
    if (ip == null) {
      throw new InvalidRequestException("Unknown search parameter '" + c.name() + "' for resource type "
          + type);
    }
    RestSearchParameterTypeEnum kind = ip.param().getParamType();
    String table = tableFor(kind, c);
    if ("missing".equals(c.modifier())) {
      boolean missing = parseBoolean(c, c.values().get(0));
      sql.append(missing ? "NOT " : "").append("EXISTS (SELECT 1 FROM ").append(table)
          .append(" x WHERE x.res_pk = r.res_pk AND x.param = ?)");
      p.add(c.name());
      return;
    }
    boolean negate = kind == RestSearchParameterTypeEnum.TOKEN && "not".equals(c.modifier());
    sql.append("r.res_pk ").append(negate ? "NOT IN" : "IN").append(" (SELECT x.res_pk FROM ").append(table)
        .append(" x WHERE x.res_type = ? AND x.param = ? AND (");
    p.add(type);
    p.add(c.name());
    for (int i = 0; i < c.values().size(); i++) {
      if (i > 0) sql.append(" OR ");
      String v = c.values().get(i);
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
    }
    sql.append("))");
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
    requireNoModifier(c, "not", "text");
    if ("text".equals(c.modifier())) {
      sql.append("x.text_norm LIKE ?");
      p.add(escapeLike(SearchValues.normalise(v)) + "%");
      return;
    }
    int bar = indexOfUnescaped(v, '|');
    if (bar < 0) {
      sql.append("x.code = ?");
      p.add(unescape(v));
    } else {
      String system = unescape(v.substring(0, bar));
      String code = unescape(v.substring(bar + 1));
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

  private static void appendReference(StringBuilder sql, List<Object> p, Clause c, String v) {
    String typeModifier = c.modifier();
    if (typeModifier != null && !Character.isUpperCase(typeModifier.charAt(0))) {
      throw new InvalidRequestException("Modifier ':" + typeModifier + "' is not supported on '" + c.name() + "'");
    }
    if (v.startsWith("http://") || v.startsWith("https://") || v.startsWith("urn:")) {
      sql.append("x.target_url = ?");
      p.add(v);
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
    try {
      return new BigDecimal(s);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("Invalid number '" + raw + "'");
    }
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
      sql.append("x.uri LIKE ?");
      p.add(escapeLike(v) + "%");
    } else if ("above".equals(c.modifier())) {
      sql.append("? LIKE (replace(replace(x.uri, '%', '\\%'), '_', '\\_') || '%')");
      p.add(v);
    } else {
      sql.append("x.uri = ?");
      p.add(v);
    }
  }

  private static int indexOfUnescaped(String s, char ch) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.charAt(i) == ch) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String s) {
    return s.replace("\\|", "|").replace("\\$", "$").replace("\\\\", "\\");
  }

  static String escapeLike(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
