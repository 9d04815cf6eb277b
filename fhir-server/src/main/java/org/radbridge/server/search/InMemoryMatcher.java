package org.radbridge.server.search;

import org.radbridge.server.store.IndexRows;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Optional;
import org.hl7.fhir.r4.model.IdType;

/**
 * Decides criteria against the index rows of one resource without a query, where that gives the
 * answer the SQL would: plain token clauses ({@code code}, {@code system|code}, {@code |code},
 * {@code system|}) and plain reference clauses ({@code Type/id}, {@code id}). Anything else
 * (modifiers, chains, strings, dates, quantities, URLs) is undecided here and goes to the database.
 * Subscriptions use it so hundreds of criteria cost no statement per write.
 */
public final class InMemoryMatcher {
  private final SearchParamRegistry registry;

  public InMemoryMatcher(SearchParamRegistry registry) {
    this.registry = registry;
  }

  /** true / false when decided from the rows; empty when the database must answer. */
  public Optional<Boolean> matches(String type, SearchCriteria criteria, IndexRows rows) {
    if (rows == null) {
      return Optional.empty();
    }
    var params = registry.paramsFor(type);
    for (SearchCriteria.Clause c : criteria.clauses()) {
      if (c.modifier() != null || c.name().contains(".") || c.name().startsWith("_")) {
        return Optional.empty();
      }
      SearchParamRegistry.IndexedParam p = params.get(c.name());
      if (p == null || p.customSubject() != null) {
        return Optional.empty();
      }
      RestSearchParameterTypeEnum kind = p.param().getParamType();
      boolean any = false;
      for (String v : c.values()) {
        Optional<Boolean> one = switch (kind) {
          case TOKEN -> Optional.of(token(c.name(), v, rows));
          case REFERENCE -> reference(c.name(), v, rows);
          default -> Optional.empty();
        };
        if (one.isEmpty()) {
          return Optional.empty();
        }
        any |= one.get();
      }
      if (!any) {
        return Optional.of(false); // clauses are ANDed: one that fails decides
      }
    }
    return Optional.of(true);
  }

  private static boolean token(String param, String v, IndexRows rows) {
    int bar = SearchSqlBuilder.indexOfUnescaped(v, '|');
    String system = bar < 0 ? null : clip(SearchSqlBuilder.unescape(v.substring(0, bar)));
    String code = clip(SearchSqlBuilder.unescape(bar < 0 ? v : v.substring(bar + 1)));
    for (IndexRows.TokenRow t : rows.tokens) {
      if (!t.param().equals(param)) {
        continue;
      }
      boolean ok;
      if (bar < 0) {
        ok = code.equals(t.code());
      } else if (system.isEmpty()) {
        ok = code.equals(t.code()) && t.system() == null;
      } else if (code.isEmpty()) {
        ok = system.equals(t.system());
      } else {
        ok = code.equals(t.code()) && system.equals(t.system());
      }
      if (ok) {
        return true;
      }
    }
    return false;
  }

  private static Optional<Boolean> reference(String param, String v, IndexRows rows) {
    if (v.contains("://") || v.startsWith("urn:")) {
      return Optional.empty();
    }
    IdType id = new IdType(v);
    String type = id.hasResourceType() ? id.getResourceType() : null;
    for (IndexRows.ReferenceRow r : rows.references) {
      if (r.param().equals(param) && id.getIdPart().equals(r.targetId()) && (type == null || type.equals(r.targetType()))) {
        return Optional.of(true);
      }
    }
    return Optional.of(false);
  }

  private static String clip(String s) {
    return SearchValues.clip(s, SearchValues.MAX_TOKEN_LENGTH);
  }
}
