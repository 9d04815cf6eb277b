package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OruBuilder;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.server.workflow.OrderWorkflow;
import org.springframework.stereotype.Component;

/**
 * ORU^R01 to the ordering centre's {@code hl7v2-mllp} Endpoint, queued in the transaction of the
 * report's write, when a report becomes final, corrected, amended or appended — and again for each
 * later change of such a report (a correction is news to the centre). Preliminary reports stay
 * inside the network.
 */
@Component
class OutboundReports implements WriteHook {
  private static final Set<DiagnosticReport.DiagnosticReportStatus> RELEASED = EnumSet.of(
      DiagnosticReport.DiagnosticReportStatus.FINAL, DiagnosticReport.DiagnosticReportStatus.CORRECTED,
      DiagnosticReport.DiagnosticReportStatus.AMENDED, DiagnosticReport.DiagnosticReportStatus.APPENDED);

  private final NetworkDirectory directory;
  private final OutboundMessages messages;
  private final ResourceReader reader;
  private final OrderWorkflow workflow;

  OutboundReports(NetworkDirectory directory, OutboundMessages messages, ResourceReader reader, OrderWorkflow workflow) {
    this.directory = directory;
    this.messages = messages;
    this.reader = reader;
    this.workflow = workflow;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public java.util.Set<String> types() {
    return java.util.Set.of("DiagnosticReport");
  }

  @Override
  public void on(WriteEvent change) {
    if (!"DiagnosticReport".equals(change.type()) || !(change.resource() instanceof DiagnosticReport dr)
        || !RELEASED.contains(dr.getStatus())) {
      return;
    }
    if (change.previous() instanceof DiagnosticReport before && RELEASED.contains(before.getStatus())
        && sameReport(before, dr)) {
      return; // nothing the centre sees has changed
    }
    for (String orderId : org.radbridge.server.workflow.OrderRef.orderIds(dr.getBasedOn())) {
      ServiceRequest order;
      try {
        order = (ServiceRequest) reader.read("ServiceRequest", orderId);
      } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException unknownOrDeleted) {
        continue; // references are not enforced: a report of an order RadBridge does not have goes nowhere
      }
      Optional<NetworkDirectory.Hl7Endpoint> to = workflow.sendingOrganization(order)
          .flatMap(org -> directory.hl7Endpoint(new org.radbridge.server.network.OrgRef(org).reference()));
      if (to.isEmpty()) {
        continue;
      }
      try {
        messages.enqueue(to.get(), orderId, OruBuilder.build(messages.header(to.get()), dr, order,
            messages.patient(dr.getSubject().getReference()), messages.placerNamespace(order)),
            "DiagnosticReport/" + change.id());
      } catch (HL7Exception e) {
        throw new IllegalStateException("ORU for DiagnosticReport/" + change.id() + " could not be built: " + e.getMessage(), e);
      }
    }
  }

  private static boolean sameReport(DiagnosticReport a, DiagnosticReport b) {
    return a.getStatus() == b.getStatus() && java.util.Objects.equals(a.getConclusion(), b.getConclusion())
        && a.getCode().equalsDeep(b.getCode()) && a.getResultsInterpreter().size() == b.getResultsInterpreter().size();
  }
}
