package org.radbridge.server.store;

import java.util.List;
import java.util.function.Function;

/**
 * Builds the common-table-expression fragments that insert all index rows of a resource version in
 * the same statement as the resource itself: one round trip per write, however many rows.
 * Each fragment reads {@code res_pk} from a CTE named {@code r}.
 */
final class IndexWriteSql {
  private IndexWriteSql() {}

  /** ", s AS (INSERT ...), t AS (...)" for every index table; appends its parameters to params. */
  static String insertFragments(String resType, IndexRows rows, List<Object> params) {
    StringBuilder sql = new StringBuilder();
    sql.append(", i_str AS (INSERT INTO idx_string (res_pk, res_type, param, value_norm, value_exact)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::varchar[], ?::text[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.strings, IndexRows.StringRow::param));
    params.add(array("varchar", rows.strings, IndexRows.StringRow::valueNorm));
    params.add(array("text", rows.strings, IndexRows.StringRow::valueExact));

    sql.append(", i_tok AS (INSERT INTO idx_token (res_pk, res_type, param, system, code, text_norm)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.tokens, IndexRows.TokenRow::param));
    params.add(array("varchar", rows.tokens, IndexRows.TokenRow::system));
    params.add(array("varchar", rows.tokens, IndexRows.TokenRow::code));
    params.add(array("varchar", rows.tokens, IndexRows.TokenRow::textNorm));

    sql.append(", i_ref AS (INSERT INTO idx_reference (res_pk, res_type, param, target_type, target_id, target_url)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.references, IndexRows.ReferenceRow::param));
    params.add(array("varchar", rows.references, IndexRows.ReferenceRow::targetType));
    params.add(array("varchar", rows.references, IndexRows.ReferenceRow::targetId));
    params.add(array("varchar", rows.references, IndexRows.ReferenceRow::targetUrl));

    sql.append(", i_date AS (INSERT INTO idx_date (res_pk, res_type, param, low, high)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::timestamptz[], ?::timestamptz[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.dates, IndexRows.DateRow::param));
    params.add(array("timestamptz", rows.dates, IndexRows.DateRow::low));
    params.add(array("timestamptz", rows.dates, IndexRows.DateRow::high));

    sql.append(", i_num AS (INSERT INTO idx_number (res_pk, res_type, param, value)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::numeric[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.numbers, IndexRows.NumberRow::param));
    params.add(array("numeric", rows.numbers, IndexRows.NumberRow::value));

    sql.append(", i_qty AS (INSERT INTO idx_quantity (res_pk, res_type, param, value, system, code, unit)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::numeric[], ?::varchar[], ?::varchar[], ?::varchar[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.quantities, IndexRows.QuantityRow::param));
    params.add(array("numeric", rows.quantities, IndexRows.QuantityRow::value));
    params.add(array("varchar", rows.quantities, IndexRows.QuantityRow::system));
    params.add(array("varchar", rows.quantities, IndexRows.QuantityRow::code));
    params.add(array("varchar", rows.quantities, IndexRows.QuantityRow::unit));

    sql.append(", i_uri AS (INSERT INTO idx_uri (res_pk, res_type, param, uri)"
        + " SELECT r.res_pk, ?, u.* FROM r, unnest(?::varchar[], ?::varchar[]) u)");
    params.add(resType);
    params.add(array("varchar", rows.uris, IndexRows.UriRow::param));
    params.add(array("varchar", rows.uris, IndexRows.UriRow::uri));
    return sql.toString();
  }

  /** ", d_str AS (DELETE FROM idx_string WHERE res_pk = r.res_pk) ..." for every index table. */
  static String deleteFragments() {
    StringBuilder sql = new StringBuilder();
    for (String table : INDEX_TABLES) {
      sql.append(", d_").append(table).append(" AS (DELETE FROM ").append(table)
          .append(" x USING r WHERE x.res_pk = r.res_pk)");
    }
    return sql.toString();
  }

  static final List<String> INDEX_TABLES = List.of(
      "idx_string", "idx_token", "idx_reference", "idx_date", "idx_number", "idx_quantity", "idx_uri");

  private static <T> SqlArray array(String type, List<T> rows, Function<T, Object> column) {
    Object[] values = new Object[rows.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = column.apply(rows.get(i));
    }
    return new SqlArray(type, values);
  }
}
