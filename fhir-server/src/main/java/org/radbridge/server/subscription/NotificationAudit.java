package org.radbridge.server.subscription;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.audit.AuditLog;
import org.radbridge.server.audit.AuditRecord;
import org.radbridge.server.audit.AuditTypes;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * The audit record of each subscription notification sent (DICOM "Export", 110106, subtype
 * {@code subscription-notification}): outcome 0 when the receiver took it, 8 when it did not (an
 * error status, no connection, no websocket bound); the agent the receiving endpoint — its URL,
 * or {@code websocket} — with its host and the organisation the subscription's owner acts for
 * (when one); entities the Subscription and the resource notified, whose patients are found from
 * their index rows.
 */
@Component
class NotificationAudit {
  static final String SUBTYPE = "subscription-notification";
  static final String AGENT_KIND = "subscriber";

  private final AuditLog audit;
  private final SubscriptionOwners owners;

  NotificationAudit(AuditLog audit, SubscriptionOwners owners) {
    this.audit = audit;
    this.owners = owners;
  }

  /** {@code failure}: why the receiver did not take it; null when it did. */
  void notified(OutboxRow row, String subscriptionId, SubscriptionSpec spec, String failure) {
    boolean websocket = spec.channel() == Subscription.SubscriptionChannelType.WEBSOCKET;
    String endpoint = websocket ? "websocket" : spec.endpoint();
    List<String> organisations = owners.organisationsOf(subscriptionId);
    List<String> entities = new ArrayList<>();
    entities.add("Subscription/" + subscriptionId);
    if (row.subject() != null) {
      entities.add(row.subject());
    }
    AuditRecord.Agent agent = new AuditRecord.Agent(AGENT_KIND, endpoint == null ? "unknown" : endpoint,
        organisations.size() == 1 ? organisations.get(0) : null, websocket ? null : hostOf(endpoint), null);
    audit.record(new AuditRecord(Instant.now(), AuditTypes.EXPORT, SUBTYPE, 'R', failure == null ? 0 : 8, failure, agent,
        null, entities, entities.size(), "outbox row " + row.id(), null), true);
  }

  private static String hostOf(String url) {
    try {
      return url == null ? null : URI.create(url).getHost();
    } catch (IllegalArgumentException notAUrl) {
      return null;
    }
  }
}
