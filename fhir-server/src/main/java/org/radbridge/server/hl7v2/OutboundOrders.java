package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import java.util.Optional;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OrmBuilder;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.server.workflow.OrderWorkflow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * ORM^O01 to a reading hospital whose Endpoint is {@code hl7v2-mllp}, queued in the transaction of
 * the order's write: NW when the order is routed to it, XO when it changes, HD / RL when held /
 * released, CA when cancelled (revoked, entered in error) or routed to another hospital. Completion
 * is not sent: the hospital's own report completes the order.
 */
@Component
class OutboundOrders implements WriteHook {
  private static final Logger log = LoggerFactory.getLogger(OutboundOrders.class);
  private final NetworkDirectory directory;
  private final OutboundMessages messages;

  private final OrderWorkflow workflow;

  OutboundOrders(NetworkDirectory directory, OutboundMessages messages, OrderWorkflow workflow) {
    this.workflow = workflow;
    this.directory = directory;
    this.messages = messages;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public java.util.Set<String> types() {
    return java.util.Set.of("ServiceRequest");
  }

  @Override
  public void on(WriteEvent change) {
    if (!"ServiceRequest".equals(change.type())) {
      return;
    }
    ServiceRequest before = (ServiceRequest) change.previous();
    ServiceRequest now = (ServiceRequest) change.resource();
    if (!workflow.takesUp(now != null ? now : before, before)) {
      return; // not an imaging order of the network: nothing goes to a reading hospital
    }
    Optional<String> was = before == null ? Optional.empty() : OrderWorkflow.readingOrganization(before);
    Optional<String> is = now == null ? Optional.empty() : OrderWorkflow.readingOrganization(now);
    try {
      if (was.isPresent() && !was.equals(is)) {
        send(was.get(), "CA", before, change.id()); // routed elsewhere (or deleted): withdrawn from the old hospital
      }
      if (is.isEmpty()) {
        return;
      }
      String control = control(was.equals(is) ? before : null, now);
      if (control != null) {
        send(is.get(), control, now, change.id());
      }
    } catch (HL7Exception e) {
      throw new IllegalStateException("ORM for ServiceRequest/" + change.id() + " could not be built: " + e.getMessage(), e);
    }
  }

  /** ORC-1 for the hospital the order is routed to; null when nothing it cares about changed. */
  static String control(ServiceRequest before, ServiceRequest now) {
    ServiceRequest.ServiceRequestStatus status = now.getStatus();
    if (before == null) {
      return switch (status) {
        case ACTIVE, ONHOLD -> "NW";
        default -> null; // a draft, or an order cancelled before anyone saw it
      };
    }
    if (status == before.getStatus()) {
      return status == ServiceRequest.ServiceRequestStatus.ACTIVE && !sameOrder(before, now) ? "XO" : null;
    }
    return switch (status) {
      case REVOKED, ENTEREDINERROR -> "CA";
      case ONHOLD -> "HD";
      case ACTIVE -> before.getStatus() == ServiceRequest.ServiceRequestStatus.ONHOLD ? "RL"
          : before.getStatus() == ServiceRequest.ServiceRequestStatus.DRAFT ? "NW" : "XO";
      default -> null;
    };
  }

  /** Whether the parts an ORM carries are unchanged (meta, Task links and the like are not sent). */
  private static boolean sameOrder(ServiceRequest a, ServiceRequest b) {
    return a.getCode().equalsDeep(b.getCode()) && a.getPriority() == b.getPriority()
        && a.getOccurrence() == null == (b.getOccurrence() == null)
        && (a.getOccurrence() == null || a.getOccurrence().equalsDeep(b.getOccurrence()))
        && a.getRequester().equalsDeep(b.getRequester()) && a.getSubject().equalsDeep(b.getSubject())
        && sameList(a.getReasonCode(), b.getReasonCode()) && sameList(a.getIdentifier(), b.getIdentifier());
  }

  private static <T extends org.hl7.fhir.r4.model.Base> boolean sameList(java.util.List<T> a, java.util.List<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equalsDeep(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private void send(String hospital, String control, ServiceRequest order, String orderId) throws HL7Exception {
    Optional<NetworkDirectory.Hl7Endpoint> to = directory.hl7Endpoint(hospital);
    if (to.isEmpty()) {
      return; // the hospital takes its orders by FHIR (or a subscription), not HL7 v2
    }
    var orm = OrmBuilder.build(messages.header(to.get()), control, order,
        messages.patient(order.getSubject().getReference()), messages.placerNamespace(order));
    messages.enqueue(to.get(), orderId, orm, "ServiceRequest/" + orderId);
    log.debug("ORM {} for ServiceRequest/{} queued to {}", control, orderId, to.get().id());
  }
}
