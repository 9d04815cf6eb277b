package org.radbridge.server.store;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a reader may see, as the read SQL's predicate: everything (the server itself, an
 * administrator, the regional exchange), or the resources whose readers include one of its
 * organisations or {@value Readers#EVERY_ORGANISATION}.
 */
public record Visibility(boolean everything, Set<String> organisations) {
  public static final Visibility EVERYTHING = new Visibility(true, Set.of());

  public Visibility {
    organisations = Set.copyOf(organisations);
  }

  /** A reader acting for {@code orgKey} (null: only what every organisation may read). */
  public static Visibility of(String orgKey) {
    Set<String> keys = new TreeSet<>(Set.of(Readers.EVERY_ORGANISATION));
    if (orgKey != null) {
      keys.add(orgKey);
    }
    return new Visibility(false, keys);
  }

  /** {@code (?::boolean OR <alias>.readers && ?::text[])} with its two parameters added to {@code params}. */
  public String predicate(String alias, List<Object> params) {
    return overlaps(alias + ".readers", params);
  }

  /**
   * The same predicate over any text[] expression of organisation keys (who else may see a row that
   * is no resource, e.g. the organisations that sent a DICOM study): {@code (?::boolean OR <keys> && ?::text[])}.
   */
  public String overlaps(String keys, List<Object> params) {
    params.add(everything);
    params.add(new SqlArray("text", organisations.toArray()));
    return "(?::boolean OR " + keys + " && ?::text[])";
  }
}
