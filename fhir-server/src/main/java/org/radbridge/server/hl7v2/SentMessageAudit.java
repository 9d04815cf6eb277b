package org.radbridge.server.hl7v2;

import java.time.Instant;
import java.util.List;
import org.radbridge.server.audit.AuditLog;
import org.radbridge.server.audit.AuditRecord;
import org.radbridge.server.audit.AuditTypes;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * The audit record of each attempt to deliver an HL7 v2 message (DICOM "Export", 110106): subtype
 * its MSH-9, outcome by the receiver's ACK (AA/CA 0, AE/CE 4, AR/CR 8) or 8 for no ACK at all (no
 * connection, a timeout, no Endpoint), the agent the receiving application (MSH-5^MSH-6) at its
 * host and port, the resource the message carries with its patients (found from its index rows),
 * and the message's control id.
 */
@Component
class SentMessageAudit {
  private final AuditLog audit;

  SentMessageAudit(AuditLog audit) {
    this.audit = audit;
  }

  /** {@code ack}: the receiver's answer, null when none came; {@code failure}: why the attempt failed, null when it did not. */
  void attempted(OutboxRow row, String receiver, String address, String messageType, String controlId,
      AckReading ack, String failure) {
    int outcome = ack == null ? 8 : ack.outcome();
    String text = failure != null ? failure : ack == null ? null : ack.describe();
    List<String> entities = row.subject() == null ? List.of() : List.of(row.subject());
    audit.record(new AuditRecord(Instant.now(), AuditTypes.EXPORT, messageType == null ? "unknown" : messageType, 'R',
        outcome, text, new AuditRecord.Agent(ReceivedMessageAudit.AGENT_KIND, receiver, null, address, null), null,
        entities, entities.size(), controlId, null), true);
  }
}
