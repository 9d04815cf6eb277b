package org.radbridge.server.workflow;

import java.util.Set;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** An imaging order gets its identifiers, accession number, LOINC code and route before the network profile checks it. */
@Component
// before the PREPARE hooks that read what it completes (security's ReaderAssignment comes last)
@org.springframework.core.annotation.Order(0)
class OrderPreparation implements WriteHook {
  private final OrderWorkflow orders;

  OrderPreparation(OrderWorkflow orders) {
    this.orders = orders;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public Set<String> types() {
    return Set.of("ServiceRequest");
  }

  @Override
  public void on(WriteEvent e) {
    orders.prepare((ServiceRequest) e.resource(), (ServiceRequest) e.previous(), e.caller());
  }
}
