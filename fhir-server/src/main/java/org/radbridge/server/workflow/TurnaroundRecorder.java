package org.radbridge.server.workflow;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.radbridge.server.network.NetworkResources;
import org.radbridge.server.network.OrgRef;
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
public class TurnaroundRecorder implements WriteHook, org.radbridge.server.outbox.DeliveryObserver {
  private final JdbcTemplate jdbc;
  private final OrderWorkflow workflow;
  private final org.radbridge.server.store.ResourceReader reader;

  public TurnaroundRecorder(JdbcTemplate jdbc, OrderWorkflow workflow, org.radbridge.server.store.ResourceReader reader) {
    this.reader = reader;
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
      if (workflow.takesUp(sr, (ServiceRequest) change.previous())) {
        order(change.id(), sr);
      }
    } else if (change.resource() instanceof Task task) {
      OrderRef.ofTaskId(change.id()).ifPresent(orderId -> stage(orderId, task));
    }
  }

  private void order(String id, ServiceRequest sr) {
    Timestamp at = at(sr.getMeta().getLastUpdated());
    Timestamp ordered = sr.hasAuthoredOn() ? new Timestamp(sr.getAuthoredOn().getTime()) : at;
    String reading = OrderWorkflow.readingOrganization(sr).orElse(null);
    String ordering = workflow.sendingOrganization(sr).map(k -> new OrgRef(k).reference()).orElse(null);
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
    java.util.Optional<TaskStage> stage = TaskStage.of(task);
    if (stage.isEmpty()) {
      return;
    }
    if (stage.get().reached(TaskStage.STUDY_AVAILABLE) && task.getRestriction().hasPeriod()) {
      Date due = task.getRestriction().getPeriod().getEnd();
      jdbc.update("UPDATE order_turnaround SET study_at = COALESCE(study_at, ?), due_at = COALESCE(due_at, ?)"
          + " WHERE order_id = ?", new Timestamp(task.getRestriction().getPeriod().getStart().getTime()),
          due == null ? null : new Timestamp(due.getTime()), orderId);
    }
    if (stage.get() == TaskStage.PRELIMINARY_REPORT) {
      jdbc.update("UPDATE order_turnaround SET preliminary_at = COALESCE(preliminary_at, ?) WHERE order_id = ?", at, orderId);
    }
    if (stage.get() == TaskStage.FINAL_REPORT) {
      jdbc.update("UPDATE order_turnaround SET final_at = COALESCE(final_at, ?) WHERE order_id = ?", at, orderId);
    }
  }

  /**
   * Observes deliveries: an outbox row about a released report (an ORU acknowledged by the centre,
   * a subscription notification delivered) means the final report reached the ordering centre.
   */
  @Override
  public void delivered(org.radbridge.server.outbox.OutboxRow row) {
    String subject = row.subject();
    if (subject == null || !subject.startsWith("DiagnosticReport/")) {
      return;
    }
    if (reader.readCurrentOrNull("DiagnosticReport", subject.substring("DiagnosticReport/".length()))
        instanceof org.hl7.fhir.r4.model.DiagnosticReport dr && dr.getStatus() != null && RELEASED.contains(dr.getStatus())) {
      OrderRef.orderIds(dr.getBasedOn()).forEach(this::delivered);
    }
  }

  private static final java.util.Set<org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus> RELEASED =
      java.util.EnumSet.of(org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.FINAL,
          org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.AMENDED,
          org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.CORRECTED,
          org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.APPENDED);

  /** The final report of the order reached the ordering centre (set once, after final_at). */
  void delivered(String orderId) {
    jdbc.update("UPDATE order_turnaround SET delivered_at = now() WHERE order_id = ? AND final_at IS NOT NULL"
        + " AND delivered_at IS NULL", orderId);
  }

  private static Timestamp at(Date lastUpdated) {
    return new Timestamp((lastUpdated == null ? Date.from(Instant.now()) : lastUpdated).getTime());
  }
}
