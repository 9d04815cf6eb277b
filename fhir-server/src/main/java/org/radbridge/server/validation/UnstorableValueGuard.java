package org.radbridge.server.validation;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.math.BigDecimal;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Refuses (400) values no one can store safely, on every channel, before any other PREPARE hook
 * sees them:
 * <ul>
 *   <li>U+0000 in any value: FHIR strings may not hold it (R4 2.1.28.0.1: no characters below U+0020
 *       except tab, CR and LF) and PostgreSQL cannot store it;</li>
 *   <li>a decimal written with more than {@code radbridge.limits.max-number-digits} characters or an
 *       exponent beyond it: the stored JSON would hold a number that fills the heap when read back
 *       (the JSON body filter bounds JSON numbers as they arrive; this bounds XML and every other
 *       channel the same way).</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnstorableValueGuard implements WriteHook {
  private final int maxDigits;

  UnstorableValueGuard(RadBridgeProperties props) {
    this.maxDigits = props.getLimits().getMaxNumberDigits();
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof Resource r) {
      ElementWalk.walk(r, (path, element) -> {
        if (element instanceof DecimalType d) {
          checkDecimal(path, d);
          return;
        }
        String value = element.isPrimitive() ? element.primitiveValue() : null;
        if (value != null && value.indexOf('\0') >= 0) {
          throw new InvalidRequestException(path + " contains the character U+0000 (NUL), which FHIR content"
              + " may not hold");
        }
      });
    }
  }

  private void checkDecimal(String path, DecimalType d) {
    String written = d.getValueAsString();
    BigDecimal value = d.getValue();
    if (written == null || value == null) {
      return;
    }
    // scale() is minus the exponent: 1e999999999 has scale -999999999 and one digit
    if (written.length() > maxDigits || Math.abs((long) value.scale()) > maxDigits) {
      throw new InvalidRequestException(path + " is a number beyond radbridge.limits.max-number-digits ("
          + maxDigits + " characters, exponent within ±" + maxDigits + ")");
    }
  }
}
