package org.radbridge.server.workflow;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.radbridge.server.network.NetworkResources;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps each order's row of {@code order_turnaround} (see docs/schema.md) as its resources are
 * written, in the same transaction: the order itself (ordered, routed = scheduled, its ordering and
 * reading organisations, modality, priority, status) and its Task's stages (study available with
 * the due time, preliminary and final report). Each timestamp is the stored version's
 * {@code meta.lastUpdated} and is set once: the first time the order reaches the step.
 */
@Component
public class TurnaroundRecorder implements WriteHook {
  private final JdbcTemplate jdbc;
  private final OrderWorkflow workflow;

  public TurnaroundRecorder(JdbcTemplate jdbc, OrderWorkflow workflow) {
    this.jdbc = jdbc;
    this.workflow = workflow;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public java.util.Set<String> types() {
    return java.util.Set.of("ServiceRequest", "Task");
  }

  @Override
  public void on(WriteEvent change) {
    if (change.resource() instanceof ServiceRequest sr) {
      order(change.id(), sr);
    } else if (change.resource() instanceof Task task && change.id().startsWith("order-")) {
      stage(change.id().substring("order-".length()), task);
    }
  }

  private void order(String id, ServiceRequest sr) {
    Timestamp at = at(sr.getMeta().getLastUpdated());
    Timestamp ordered = sr.hasAuthoredOn() ? new Timestamp(sr.getAuthoredOn().getTime()) : at;
    String reading = OrderWorkflow.readingOrganization(sr).orElse(null);
    String ordering = workflow.sendingOrganization(sr).map(k -> "Organization/" + NetworkResources.organizationId(k))
        .orElse(null);
    String modality = sr.getPerformerType().getCoding().stream().filter(c -> NetworkResources.DCM.equals(c.getSystem()))
        .map(Coding::getCode).findFirst().orElse(null);
    jdbc.update("INSERT INTO order_turnaround (order_id, ordering_org, reading_org, modality, priority, status,"
        + " ordered_at, scheduled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (order_id) DO UPDATE SET ordering_org = EXCLUDED.ordering_org,"
        + " reading_org = EXCLUDED.reading_org, modality = EXCLUDED.modality, priority = EXCLUDED.priority,"
        + " status = EXCLUDED.status, scheduled_at = COALESCE(order_turnaround.scheduled_at, EXCLUDED.scheduled_at)",
        id, ordering, reading, modality, sr.hasPriority() ? sr.getPriority().toCode() : "routine",
        sr.getStatus() == null ? "unknown" : sr.getStatus().toCode(), ordered, reading == null ? null : at);
  }

  private void stage(String orderId, Task task) {
    Timestamp at = at(task.getMeta().getLastUpdated());
    String stage = task.getBusinessStatus().getText();
    int reached = OrderWorkflow.STAGES.indexOf(stage);
    if (reached >= OrderWorkflow.STAGES.indexOf("study available") && task.getRestriction().hasPeriod()) {
      Date due = task.getRestriction().getPeriod().getEnd();
      jdbc.update("UPDATE order_turnaround SET study_at = COALESCE(study_at, ?), due_at = COALESCE(due_at, ?)"
          + " WHERE order_id = ?", new Timestamp(task.getRestriction().getPeriod().getStart().getTime()),
          due == null ? null : new Timestamp(due.getTime()), orderId);
    }
    if (reached >= OrderWorkflow.STAGES.indexOf("preliminary report") && "preliminary report".equals(stage)) {
      jdbc.update("UPDATE order_turnaround SET preliminary_at = COALESCE(preliminary_at, ?) WHERE order_id = ?", at, orderId);
    }
    if ("final report".equals(stage)) {
      jdbc.update("UPDATE order_turnaround SET final_at = COALESCE(final_at, ?) WHERE order_id = ?", at, orderId);
    }
  }

  /** The final report reached the ordering centre (an ORU acknowledged, a notification delivered). */
  public void delivered(String orderId) {
    jdbc.update("UPDATE order_turnaround SET delivered_at = now() WHERE order_id = ? AND final_at IS NOT NULL"
        + " AND delivered_at IS NULL", orderId);
  }

  private static Timestamp at(Date lastUpdated) {
    return new Timestamp((lastUpdated == null ? Date.from(Instant.now()) : lastUpdated).getTime());
  }
}
