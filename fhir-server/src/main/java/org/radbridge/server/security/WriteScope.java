package org.radbridge.server.security;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.Visibility;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * A client or person acting for an organisation changes or deletes only resources it may read
 * (another's answers 404, as a read does); {@link ReferenceScope} holds what it writes to its own
 * patients and orders. Administrators and the exchange are not held to it; DICOM nodes and HL7
 * applications are checked by their channels.
 */
@Component
class WriteScope implements WriteHook {
  private final ResourceRows rows;
  private final RestCallers callers;

  WriteScope(ResourceRows rows, RestCallers callers) {
    this.rows = rows;
    this.callers = callers;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.GUARD;
  }

  @Override
  public void on(WriteEvent e) {
    Visibility v = restricted(callers, e.caller());
    if (v == null || e.id() == null || e.operation() == WriteEvent.Operation.CREATE) {
      return;
    }
    if (rows.readCurrent(e.type(), e.id()).isPresent() && rows.readCurrent(e.type(), e.id(), v).isEmpty()) {
      throw new ResourceNotFoundException(e.type() + "/" + e.id() + " is not known");
    }
  }

  /** The visibility of a client or person who does not see everything; null for anyone else. */
  static Visibility restricted(RestCallers callers, Caller caller) {
    if (caller == null || caller.kind() != Caller.Kind.CLIENT && caller.kind() != Caller.Kind.USER) {
      return null;
    }
    Visibility v = callers.visibilityOf(caller);
    return v.everything() ? null : v;
  }
}
