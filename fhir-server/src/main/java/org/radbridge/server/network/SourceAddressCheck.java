package org.radbridge.server.network;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Set;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * A source-address extension on an Endpoint or a Device is a string holding an IP address or CIDR
 * range (422 otherwise, naming it): an administrator's typo is refused when written, not found
 * later as a node that can no longer connect. Certificate extensions: {@link CertificateNameCheck}.
 */
@Component
class SourceAddressCheck implements WriteHook {
  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public Set<String> types() {
    return Set.of("Endpoint", "Device");
  }

  @Override
  public void on(WriteEvent e) {
    if (!(e.resource() instanceof DomainResource r)) {
      return;
    }
    for (Extension x : r.getExtensionsByUrl(NetworkResources.SOURCE_ADDRESS)) {
      if (!(x.getValue() instanceof StringType s)) {
        throw new UnprocessableEntityException("The extension " + NetworkResources.SOURCE_ADDRESS + " of " + e.type()
            + " takes a valueString: an IP address or CIDR range");
      }
      SourceAddresses.problemWith(s.getValue()).ifPresent(problem -> {
        throw new UnprocessableEntityException("Extension " + NetworkResources.SOURCE_ADDRESS + " of " + e.type()
            + ": " + problem);
      });
    }
  }
}
