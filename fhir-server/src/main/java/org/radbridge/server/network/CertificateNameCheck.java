package org.radbridge.server.network;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * A peer-certificate extension (a DICOM node's Endpoint) or client-certificate extension (an HL7
 * application's Device) is a string naming a certificate ({@link CertificateNames}); 422 otherwise,
 * naming it: a typo is refused when written, not found later as a node or HIS that can no longer
 * connect.
 */
@Component
class CertificateNameCheck implements WriteHook {
  private static final List<String> EXTENSIONS = List.of(NetworkResources.PEER_CERTIFICATE,
      NetworkResources.CLIENT_CERTIFICATE);

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
    for (String url : EXTENSIONS) {
      for (Extension x : r.getExtensionsByUrl(url)) {
        String problem = x.getValue() instanceof StringType s ? CertificateNames.problemWith(s.getValue()).orElse(null)
            : "takes a valueString: a certificate's SHA-256 fingerprint or subject DN";
        if (problem != null) {
          throw new UnprocessableEntityException("Extension " + url + " of " + e.type() + ": " + problem);
        }
      }
    }
  }
}
