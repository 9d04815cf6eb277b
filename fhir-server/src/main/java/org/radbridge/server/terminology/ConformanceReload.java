package org.radbridge.server.terminology;

import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** A conformance resource written through REST is used by validation and the operations once it commits. */
@Component
@org.springframework.core.annotation.Order(0)
class ConformanceReload implements WriteHook {
  private static final java.util.Set<String> TYPES = java.util.Set.copyOf(NetworkConformance.TYPES);
  private final NetworkConformance conformance;

  ConformanceReload(NetworkConformance conformance) {
    this.conformance = conformance;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.AFTER_COMMIT;
  }

  @Override
  public java.util.Set<String> types() {
    return TYPES;
  }

  @Override
  public void on(WriteEvent e) {
    conformance.changed();
  }
}
