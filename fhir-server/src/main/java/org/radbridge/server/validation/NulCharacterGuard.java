package org.radbridge.server.validation;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Refuses (400) a resource with U+0000 in any value, on every channel: FHIR strings may not hold it
 * (R4 2.1.28.0.1: no characters below U+0020 except tab, CR and LF) and PostgreSQL cannot store it,
 * so it would otherwise fail deep in the write. First of all PREPARE hooks: nothing else sees it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class NulCharacterGuard implements WriteHook {
  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof Resource r) {
      ElementWalk.walk(r, (path, element) -> {
        String value = element.isPrimitive() ? element.primitiveValue() : null;
        if (value != null && value.indexOf('\0') >= 0) {
          throw new InvalidRequestException(path + " contains the character U+0000 (NUL), which FHIR content"
              + " may not hold");
        }
      });
    }
  }
}
