package org.radbridge.server.subscription;

import java.util.Set;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** A Subscription is refused (422) when it cannot be served, or moved from requested to active. */
@Component
class SubscriptionActivation implements WriteHook {
  private final SubscriptionRules rules;

  SubscriptionActivation(SubscriptionRules rules) {
    this.rules = rules;
  }

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
    rules.prepare((Subscription) e.resource());
  }
}
