package org.radbridge.server.hl7v2;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Patient;
import org.radbridge.mappers.hl7v2.V2Header;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.Outbox;
import org.radbridge.server.store.ResourceReader;
import org.springframework.stereotype.Component;

/**
 * What the outbound HL7 v2 listeners share: the MSH for a receiver, the subject Patient, and the
 * outbox row (kind {@code hl7v2-mllp}, ordered per order so NW, XO and CA arrive in the order
 * they happened, and the ORU after them).
 */
@Component
class OutboundMessages {
  private final RadBridgeProperties props;
  private final IdentitySystems identity;
  private final ResourceReader reader;
  private final Outbox outbox;
  private final NetworkDirectory directory;

  OutboundMessages(RadBridgeProperties props, IdentitySystems identity, ResourceReader reader, Outbox outbox,
      NetworkDirectory directory) {
    this.directory = directory;
    this.props = props;
    this.identity = identity;
    this.reader = reader;
    this.outbox = outbox;
  }

  V2Header header(NetworkDirectory.Hl7Endpoint to) {
    // fixed when queued: a resent message keeps its MSH-10, so the receiver can recognise it
    String controlId = "RB" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36).toUpperCase();
    return new V2Header(props.getHl7v2().getApplication(), props.getHl7v2().getFacility(), to.application(),
        to.facility(), controlId, Instant.now(), props.zone(), identity::issuerOf);
  }

  Patient patient(String reference) {
    if (reference == null || !reference.startsWith("Patient/")) {
      return new Patient();
    }
    try {
      return (Patient) reader.read("Patient", reference.substring("Patient/".length()));
    } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException gone) {
      return new Patient(); // a subject that does not resolve: the message goes without PID-3
    }
  }

  String placerNamespace(org.hl7.fhir.r4.model.ServiceRequest sr) {
    return sr.getIdentifier().stream().filter(i -> i.getType().getCoding().stream().anyMatch(c -> "PLAC".equals(c.getCode())))
        .map(i -> organizationOfSystem(i.getSystem())).flatMap(java.util.Optional::stream)
        .map(directory::hl7NamespaceOf).flatMap(java.util.Optional::stream).findFirst().orElse(null);
  }

  /** The organisation whose identifiers live under {@code system} ({@code …/sid/<key>/…}). */
  private static java.util.Optional<String> organizationOfSystem(String system) {
    if (system == null || !system.startsWith(IdentitySystems.SID_BASE)) {
      return java.util.Optional.empty();
    }
    String rest = system.substring(IdentitySystems.SID_BASE.length());
    return java.util.Optional.of(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
  }

  /** Queues the message in order per order; {@code subject} is the resource it carries (may be null). */
  void enqueue(NetworkDirectory.Hl7Endpoint to, String orderId, ca.uhn.hl7v2.model.Message message, String subject)
      throws ca.uhn.hl7v2.HL7Exception {
    outbox.enqueue(MllpDelivery.KIND, to.id(), "order:" + orderId, message.encode(), "application/hl7-v2", subject);
  }
}
