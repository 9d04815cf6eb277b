package org.radbridge.server.terminology;

import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** The network's shipped conformance resources are read-only: they change only with a new server version (405). */
@Component
class ShippedResourceGuard implements WriteHook {
  private static final java.util.Set<String> TYPES = java.util.Set.copyOf(NetworkConformance.TYPES);
  private final NetworkConformance conformance;

  ShippedResourceGuard(NetworkConformance conformance) {
    this.conformance = conformance;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.GUARD;
  }

  @Override
  public java.util.Set<String> types() {
    return TYPES;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.operation() != WriteEvent.Operation.LOAD && conformance.isShipped(e.type(), e.id())) {
      throw new MethodNotAllowedException(e.type() + "/" + e.id() + " is part of the network's shipped conformance"
          + " resources and is read-only; " + e.operation().name().toLowerCase(java.util.Locale.ROOT)
          + " is not allowed (create a resource of your own instead)");
    }
  }
}
