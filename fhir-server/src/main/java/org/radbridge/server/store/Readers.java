package org.radbridge.server.store;

import java.util.Set;

/**
 * The organisations that may read a resource (keys; {@code "*"} for every organisation): those it
 * names itself ({@code own}) and all of them, inherited ones included ({@code all}).
 */
public record Readers(Set<String> own, Set<String> all) {
  public static final String EVERY_ORGANISATION = "*";

  public Readers {
    own = Set.copyOf(own);
    all = Set.copyOf(all);
  }
}
