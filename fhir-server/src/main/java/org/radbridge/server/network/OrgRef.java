package org.radbridge.server.network;

import java.util.Optional;

/**
 * An organisation of the network as resources name it: key {@code centre-a} is
 * {@code Organization/org-centre-a}. One place that reads and writes that form.
 */
public record OrgRef(String key) {
  private static final String PREFIX = "Organization/org-";

  public OrgRef {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("an organisation reference needs a key");
    }
  }

  /** The organisation a reference names, if it is one of the network's ({@code Organization/org-<key>}). */
  public static Optional<OrgRef> parse(String reference) {
    if (reference == null) {
      return Optional.empty();
    }
    int at = reference.indexOf(PREFIX);
    // relative, or absolute on this server's base
    if (at < 0 || (at > 0 && reference.charAt(at - 1) != '/')) {
      return Optional.empty();
    }
    String key = reference.substring(at + PREFIX.length());
    return key.isEmpty() || key.contains("/") ? Optional.empty() : Optional.of(new OrgRef(key));
  }

  public String reference() {
    return PREFIX + key;
  }

  /** The Organization's logical id. */
  public String resourceId() {
    return "org-" + key;
  }
}
