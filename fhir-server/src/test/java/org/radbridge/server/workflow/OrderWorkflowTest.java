package org.radbridge.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkProperties;

/** The workflow's decisions on their own: routing and the order's Task, no server needed. */
class OrderWorkflowTest {
  /** The routing of the test network, bound from settings as at start. */
  private static OrderWorkflow workflow() {
    java.util.Map<String, String> settings = java.util.Map.of(
        "radbridge.network.routing.rules[0].from", "centre-a", "radbridge.network.routing.rules[0].modality", "MR",
        "radbridge.network.routing.rules[0].reading", "north-hospital",
        "radbridge.network.routing.rules[1].priority", "stat", "radbridge.network.routing.rules[1].reading", "north-hospital",
        "radbridge.network.routing.default-reading", "city-hospital");
    NetworkProperties network = new org.springframework.boot.context.properties.bind.Binder(
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(settings))
        .bindOrCreate("radbridge.network", NetworkProperties.class);
    return new OrderWorkflow(network, new IdentitySystems(network), null, null, null);
  }

  @Test
  void theFirstMatchingRuleRoutesElseTheDefault() {
    OrderWorkflow w = workflow();
    assertThat(w.route("centre-a", "MR", "routine")).contains("north-hospital");
    assertThat(w.route("centre-b", "MR", "routine")).contains("city-hospital");
    assertThat(w.route("centre-b", "CT", "stat")).contains("north-hospital");
    assertThat(w.route(null, null, null)).contains("city-hospital"); // a study with no order and an unknown sender
  }

  private static ServiceRequest order(String performer) {
    ServiceRequest sr = new ServiceRequest().setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
    sr.setId("o1");
    if (performer != null) {
      sr.addPerformer(new Reference(performer));
    }
    return sr;
  }

  @Test
  void theTaskFollowsTheLoopAndNeverGoesBack() {
    OrderWorkflow w = workflow();
    Task task = w.taskFor(order(null), null);
    assertThat(task.getIdElement().getIdPart()).isEqualTo("order-o1");
    assertThat(TaskStage.of(task)).contains(TaskStage.AWAITING_ROUTING);
    task = w.taskFor(order("Organization/org-city-hospital"), task);
    assertThat(TaskStage.of(task)).contains(TaskStage.ROUTED);
    assertThat(task.getOwner().getReference()).isEqualTo("Organization/org-city-hospital");
    task = w.afterStudy(task);
    assertThat(TaskStage.of(task)).contains(TaskStage.STUDY_AVAILABLE);
    assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.INPROGRESS);
    task = w.afterReport(task, new DiagnosticReport().setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL));
    assertThat(TaskStage.of(task)).contains(TaskStage.FINAL_REPORT);
    assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
    // a preliminary report after the final one, or the order written again, does not take it back
    task = w.afterReport(task, new DiagnosticReport().setStatus(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY));
    assertThat(TaskStage.of(task)).contains(TaskStage.FINAL_REPORT);
    task = w.taskFor(order("Organization/org-city-hospital"), task);
    assertThat(TaskStage.of(task)).contains(TaskStage.FINAL_REPORT);
  }

  @Test
  void aCancelledOrdersTaskIsCancelledWhateverItsStage() {
    OrderWorkflow w = workflow();
    Task task = w.afterStudy(w.taskFor(order("Organization/org-city-hospital"), null));
    ServiceRequest cancelled = order("Organization/org-city-hospital").setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
    Task after = w.taskFor(cancelled, task);
    assertThat(after.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
    assertThat(w.afterReport(after, new DiagnosticReport().setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL))
        .getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
  }
}
