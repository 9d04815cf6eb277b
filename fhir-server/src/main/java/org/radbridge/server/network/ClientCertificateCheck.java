package org.radbridge.server.network;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Set;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * A client-certificate extension on a Device is a string holding a SHA-256 fingerprint or a subject
 * DN (422 otherwise, naming it): a typo is refused when written, not found later as an HIS whose
 * every message is AR.
 */
@Component
class ClientCertificateCheck implements WriteHook {
  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public Set<String> types() {
    return Set.of("Device");
  }

  @Override
  public void on(WriteEvent e) {
    if (!(e.resource() instanceof Device d)) {
      return;
    }
    for (Extension x : d.getExtensionsByUrl(NetworkResources.CLIENT_CERTIFICATE)) {
      String problem = x.getValue() instanceof StringType s ? ClientCertificates.problemWith(s.getValue()).orElse(null)
          : "takes a valueString: a SHA-256 fingerprint or a subject DN";
      if (problem != null) {
        throw new UnprocessableEntityException("Extension " + NetworkResources.CLIENT_CERTIFICATE + " of Device: "
            + problem);
      }
    }
  }
}
