package org.radbridge.server.terminology;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Optional;
import org.hl7.fhir.r4.model.MetadataResource;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** No resource takes the canonical URL of a shipped conformance resource (422). */
@Component
class CanonicalUrlOwnership implements WriteHook {
  private static final java.util.Set<String> TYPES = java.util.Set.copyOf(NetworkConformance.TYPES);
  private final NetworkConformance conformance;

  CanonicalUrlOwnership(NetworkConformance conformance) {
    this.conformance = conformance;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public java.util.Set<String> types() {
    return TYPES;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof MetadataResource m && m.hasUrl()) {
      Optional<String> owner = conformance.shippedOwnerOf(m.getUrl());
      if (owner.isPresent() && !owner.get().equals(e.type() + "/" + e.id())) {
        throw new UnprocessableEntityException("The canonical URL " + m.getUrl() + " belongs to the network's shipped "
            + owner.get() + "; give this " + e.type() + " a URL of its own");
      }
    }
  }
}
