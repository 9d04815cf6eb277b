package org.radbridge.server.audit;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * Every write on every channel — REST, a DICOM node's study, an HL7 application's order or report,
 * the workflow's own follow-ups — is recorded in its own transaction: the record exists exactly when
 * the change does. (Refused writes never reach here; the channel records those.) The server's
 * loads of its shipped resources are not accesses and are not recorded.
 */
@Component
class WriteAudit implements WriteHook {
  /** The network directory and conformance types: a change to them is a security-relevant event of its own. */
  static final Set<String> DIRECTORY = Set.of("Organization", "Endpoint", "Device");

  /** The request id rest/RequestLogFilter puts in the MDC (the log line and the record share it). */
  static final String REQUEST_ID = "requestId";

  private final AuditLog audit;

  WriteAudit(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.operation() == WriteEvent.Operation.LOAD) {
      return;
    }
    String ref = e.type() + "/" + e.id();
    char action = switch (e.operation()) {
      case CREATE -> 'C';
      case UPDATE, PATCH -> 'U';
      case DELETE -> 'D';
      case LOAD -> 'C';
    };
    String subtype = switch (e.operation()) {
      case CREATE -> "create";
      case UPDATE -> "update";
      case PATCH -> "patch";
      case DELETE -> "delete";
      case LOAD -> "create";
    };
    Caller caller = e.caller();
    String type = DIRECTORY.contains(e.type()) ? AuditTypes.SECURITY_ALERT
        : caller != null && (caller.kind() == Caller.Kind.CLIENT || caller.kind() == Caller.Kind.USER) ? AuditTypes.REST
        : AuditTypes.IMPORT;
    audit.inTransaction(new AuditRecord(Instant.now(), type, subtype, action, 0, null, AuditAgents.of(caller),
        AuditPatients.ofWrite(e.type(), e.id(), e.index()), List.of(ref), 1,
        DIRECTORY.contains(e.type()) ? "network directory: " + e.type() + " " + subtype : null, org.slf4j.MDC.get(REQUEST_ID)));
  }
}
