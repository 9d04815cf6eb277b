package org.radbridge.server.network;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Endpoint;
import org.hl7.fhir.r4.model.Extension;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Says in the log, once committed, when a node's addresses change: an Endpoint's address (where
 * RadBridge sends studies, orders and reports) or the source addresses an Endpoint or Device is
 * recognised from. Such a change redirects patient data from the next message on (the directory
 * is read per message), so it is logged at WARN with who made it.
 */
@Component
class EndpointAddressLog implements WriteHook {
  private static final Logger log = LoggerFactory.getLogger(EndpointAddressLog.class);

  @Override
  public WritePhase phase() {
    return WritePhase.AFTER_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("Endpoint", "Device");
  }

  @Override
  public void on(WriteEvent e) {
    String who = e.caller() == null ? "unknown" : e.caller().kind() + " " + e.caller().name();
    String ref = e.type() + "/" + e.id();
    if (e.resource() instanceof Endpoint now) {
      String before = e.previous() instanceof Endpoint was ? was.getAddress() : null;
      if (e.previous() == null) {
        log.info("{} created with address {} (by {})", ref, now.getAddress(), who);
      } else if (!Objects.equals(before, now.getAddress())) {
        log.warn("{} address {} -> {} ({}, by {})", ref, before, now.getAddress(), e.operation(), who);
      }
    } else if (e.resource() == null && e.previous() instanceof Endpoint was) {
      log.warn("{} with address {} deleted (by {})", ref, was.getAddress(), who);
    }
    List<String> sourcesBefore = sourceAddresses(e.previous());
    List<String> sourcesNow = sourceAddresses(e.resource());
    if (e.previous() != null && !sourcesBefore.equals(sourcesNow)) {
      log.warn("{} source addresses {} -> {} ({}, by {})", ref, sourcesBefore, sourcesNow, e.operation(), who);
    }
  }

  private static List<String> sourceAddresses(IBaseResource r) {
    if (!(r instanceof DomainResource d)) {
      return List.of();
    }
    return d.getExtensionsByUrl(NetworkResources.SOURCE_ADDRESS).stream().map(Extension::getValue)
        .filter(Objects::nonNull).map(v -> v.primitiveValue()).sorted().toList();
  }
}
