package org.radbridge.server.workflow;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Reference;

/**
 * An order as other resources name it: {@code ServiceRequest/<id>} (optionally versioned) in a
 * reference, {@code Task/order-<id>} for its Task. One place that reads and writes these forms.
 */
public record OrderRef(String id) {
  private static final String PREFIX = "ServiceRequest/";

  public OrderRef {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("an order reference needs an id");
    }
  }

  /** The order a relative reference names, if it names one ({@code ServiceRequest/<id>[/_history/<v>]}). */
  public static Optional<OrderRef> parse(String reference) {
    if (reference == null || !reference.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = reference.substring(PREFIX.length());
    int h = rest.indexOf("/_history/");
    String id = h < 0 ? rest : rest.substring(0, h);
    return id.isEmpty() || id.contains("/") ? Optional.empty() : Optional.of(new OrderRef(id));
  }

  /** The ids of the orders among references (basedOn of a study or report). */
  public static List<String> orderIds(List<Reference> references) {
    return references.stream().map(Reference::getReference).map(OrderRef::parse).flatMap(Optional::stream)
        .map(OrderRef::id).toList();
  }

  /** The id of the order's Task. */
  public static String taskId(String orderId) {
    return "order-" + orderId;
  }

  /** The order a Task id belongs to, if it is an order's Task. */
  public static Optional<String> ofTaskId(String taskId) {
    return taskId != null && taskId.startsWith("order-") ? Optional.of(taskId.substring("order-".length()))
        : Optional.empty();
  }

  public String reference() {
    return PREFIX + id;
  }
}
