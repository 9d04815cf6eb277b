package org.radbridge.server.subscription;

import java.util.Set;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** A Subscription written back with masked channel headers keeps the stored values ({@link ChannelHeaders}). */
@Component
@Order(0)
class MaskedHeaderRestore implements WriteHook {
  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public Set<String> types() {
    return Set.of("Subscription");
  }

  @Override
  public void on(WriteEvent e) {
    ChannelHeaders.restoreMasked((Subscription) e.resource(), (Subscription) e.previous());
  }
}
