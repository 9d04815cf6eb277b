package org.radbridge.server.workflow;

import java.util.Set;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The order's Task ({@code Task/order-<order id>}) follows its order, its study and its report, in
 * the same transaction, written through the pipeline like any resource (so subscriptions and
 * turnaround see it). First of the PRE_COMMIT hooks: the others see the Task already in step.
 */
@Component
@Order(0)
class OrderTaskKeeper implements WriteHook {
  private final OrderWorkflow orders;
  private final ResourceReader reader;
  private final ObjectProvider<ResourceWriter> writer;

  OrderTaskKeeper(OrderWorkflow orders, ResourceReader reader, ObjectProvider<ResourceWriter> writer) {
    this.orders = orders;
    this.reader = reader;
    this.writer = writer;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("ServiceRequest", "ImagingStudy", "DiagnosticReport");
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof ServiceRequest sr) {
      if (orders.takesUp(sr, (ServiceRequest) e.previous())) {
        put(orders.taskFor(sr, storedTask(OrderRef.taskId(e.id()))), e);
      }
    } else if (e.resource() instanceof ImagingStudy study) {
      for (String orderId : OrderRef.orderIds(study.getBasedOn())) {
        Task task = storedTask(OrderRef.taskId(orderId));
        if (task != null) {
          put(orders.afterStudy(task), e);
        }
      }
    } else if (e.resource() instanceof DiagnosticReport report) {
      for (String orderId : OrderRef.orderIds(report.getBasedOn())) {
        Task task = storedTask(OrderRef.taskId(orderId));
        if (task != null) {
          put(orders.afterReport(task, report), e);
        }
      }
    }
  }

  /** Writes the Task on behalf of whoever made the change it follows. */
  private void put(Task task, WriteEvent cause) {
    writer.getObject().putIfChanged(task, cause.caller());
  }

  private Task storedTask(String id) {
    return reader.readCurrentOrNull("Task", id) instanceof Task t ? t : null;
  }
}
