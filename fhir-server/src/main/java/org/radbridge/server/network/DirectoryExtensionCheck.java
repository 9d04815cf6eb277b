package org.radbridge.server.network;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * The directory extensions an administrator may write on an Endpoint or Device hold what the
 * directory can use (422 otherwise, naming it): a source-address an IP address or CIDR range
 * ({@link SourceAddresses}), a peer-certificate (node's Endpoint) or client-certificate
 * (application's Device) a certificate's fingerprint or subject ({@link CertificateNames}). A typo is
 * refused when written, not found later as a node or HIS that can no longer connect.
 */
@Component
class DirectoryExtensionCheck implements WriteHook {
  private record Rule(String takes, Function<String, Optional<String>> problemWith) {}

  private static final Map<String, Rule> RULES = Map.of(
      NetworkResources.SOURCE_ADDRESS, new Rule("an IP address or CIDR range", SourceAddresses::problemWith),
      NetworkResources.PEER_CERTIFICATE, new Rule("a certificate's SHA-256 fingerprint or subject DN",
          CertificateNames::problemWith),
      NetworkResources.CLIENT_CERTIFICATE, new Rule("a certificate's SHA-256 fingerprint or subject DN",
          CertificateNames::problemWith));

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
    for (Extension x : r.getExtension()) {
      Rule rule = RULES.get(x.getUrl());
      if (rule == null) {
        continue;
      }
      String problem = x.getValue() instanceof StringType s ? rule.problemWith().apply(s.getValue()).orElse(null)
          : "takes a valueString: " + rule.takes();
      if (problem != null) {
        throw new UnprocessableEntityException("Extension " + x.getUrl() + " of " + e.type() + ": " + problem);
      }
    }
  }
}
