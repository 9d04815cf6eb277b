package org.radbridge.server.hl7v2;

import java.time.Instant;
import org.radbridge.server.audit.AuditLog;
import org.radbridge.server.audit.AuditRecord;
import org.radbridge.server.audit.AuditTypes;
import org.springframework.stereotype.Component;

/**
 * The audit record of each inbound HL7 v2 message, whatever became of it (DICOM "Import",
 * 110107): subtype its MSH-9, outcome by the ACK it was answered (AA 0; AE 4 — refused for its
 * content, an unknown sender, a sender's message about another's patient, a quarantined report;
 * AR 8 — a sender not at its address or without its certificate, a message too large, not in its
 * charset or with an unreadable header, RadBridge not ready), the agent MSH-3^MSH-4 as sent with
 * the peer's address and the organisation it was recognised as, the resources and patients the
 * message wrote, and its control id (MSH-10). Queued: the message's own writes are recorded in
 * their transaction by the audit package's write hook.
 */
@Component
class ReceivedMessageAudit {
  static final String AGENT_KIND = "hl7_application";

  private final AuditLog audit;

  ReceivedMessageAudit(AuditLog audit) {
    this.audit = audit;
  }

  /** {@code incoming}: the message as read (possibly leniently); {@code answer}: the ACK sent, or null. */
  void received(String incoming, String answer, String peerAddress, ReceivedMessageTrail trail) {
    HeaderReading header = HeaderReading.of(incoming);
    AckReading ack = AckReading.of(answer);
    String type = messageType(header);
    String sender = header.component1(3) + "^" + header.component1(4);
    AuditRecord.Agent agent = new AuditRecord.Agent(AGENT_KIND, "^".equals(sender) ? "unknown" : sender,
        trail.organization(), peerAddress, null);
    audit.record(new AuditRecord(Instant.now(), AuditTypes.IMPORT, type, 'C', ack.outcome(), ack.describe(), agent,
        trail.patients(), trail.entityList(), trail.entities().size(), blankToNull(header.field(10)), null), false);
  }

  /** A frame that is no HL7 v2 message at all: the connection is closed; what is known is the peer and why. */
  void unreadable(String peerAddress, String why) {
    audit.record(new AuditRecord(Instant.now(), AuditTypes.IMPORT, "unreadable", 'C', 8, why,
        new AuditRecord.Agent(AGENT_KIND, "unknown", null, peerAddress, null), null, null, 0, null, null), false);
  }

  /** MSH-9.1^MSH-9.2 as sent, "unknown" when the header gives none. */
  private static String messageType(HeaderReading header) {
    String separator = header.encodingCharacters().isEmpty() ? "^" : header.encodingCharacters().substring(0, 1);
    String[] parts = header.field(9).split(java.util.regex.Pattern.quote(separator), -1);
    String code = parts.length > 0 ? parts[0] : "";
    String trigger = parts.length > 1 ? parts[1] : "";
    return code.isEmpty() ? "unknown" : trigger.isEmpty() ? code : code + "^" + trigger;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
