package org.radbridge.server.hl7v2;

import org.radbridge.server.audit.AuditPatients;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * Notes, in the trail of the message being processed on this thread, every resource its
 * transaction writes — the application's own writes and the workflow's follow-ups (an order's
 * Task) alike — with its patients, for the message's audit record ({@link ReceivedMessageAudit}).
 * Writes on threads processing no message are not its concern.
 */
@Component
class ReceivedMessageWrites implements WriteHook {
  private static final ThreadLocal<ReceivedMessageTrail> CURRENT = new ThreadLocal<>();

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public void on(WriteEvent e) {
    ReceivedMessageTrail trail = CURRENT.get();
    if (trail != null && e.operation() != WriteEvent.Operation.LOAD) {
      trail.wrote(e.type() + "/" + e.id(), AuditPatients.ofWrite(e.type(), e.id(), e.index()));
    }
  }

  /** Runs {@code processing} with its writes noted in {@code trail}. */
  static <T> T noting(ReceivedMessageTrail trail, java.util.function.Supplier<T> processing) {
    ReceivedMessageTrail before = CURRENT.get();
    CURRENT.set(trail);
    try {
      return processing.get();
    } finally {
      CURRENT.set(before);
    }
  }
}
