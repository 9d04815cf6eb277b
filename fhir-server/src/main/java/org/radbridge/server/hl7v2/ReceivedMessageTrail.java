package org.radbridge.server.hl7v2;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the audit record of one inbound message needs that only its processing learns: the
 * organisation the sender was recognised as, and the resources and patients the message wrote.
 * Made by {@link MllpConnection} for each message and handed to the applications in HAPI's
 * metadata (next to the {@link MllpPeer}); filled by {@link LoggedMessageApplication} and, for
 * each write while it processes the message, by {@link ReceivedMessageWrites}.
 */
final class ReceivedMessageTrail {
  static final String METADATA_KEY = "radbridge.received-message-trail";

  private String organization;
  private final Set<String> entities = new LinkedHashSet<>();
  private final Set<String> patients = new LinkedHashSet<>();

  /** The trail of a message's metadata; a throwaway one for a message that came through no connection. */
  static ReceivedMessageTrail of(Map<String, Object> metadata) {
    return metadata != null && metadata.get(METADATA_KEY) instanceof ReceivedMessageTrail t ? t : new ReceivedMessageTrail();
  }

  synchronized void recognisedAs(String orgKey) {
    organization = orgKey;
  }

  synchronized void wrote(String reference, Set<String> itsPatients) {
    entities.add(reference);
    patients.addAll(itsPatients);
  }

  /** The message's transaction rolled back: nothing it wrote exists. */
  synchronized void rolledBack() {
    entities.clear();
    patients.clear();
  }

  synchronized String organization() {
    return organization;
  }

  synchronized Set<String> entities() {
    return Set.copyOf(entities);
  }

  synchronized java.util.List<String> entityList() {
    return java.util.List.copyOf(entities);
  }

  synchronized Set<String> patients() {
    return Set.copyOf(patients);
  }
}
