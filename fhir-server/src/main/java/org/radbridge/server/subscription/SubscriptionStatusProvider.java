package org.radbridge.server.subscription;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.store.ResourceReader;

/**
 * {@code GET /fhir/Subscription/[id]/$status} (Subscriptions R5 Backport): the subscription's
 * status and how many events it has had since it started, so a receiver can tell whether it
 * missed any (compare with the last event number it got).
 */
public class SubscriptionStatusProvider {
  private final ResourceReader reader;
  private final EventNumbers events;
  private final String base;

  public SubscriptionStatusProvider(ResourceReader reader, EventNumbers events, String base) {
    this.reader = reader;
    this.events = events;
    this.base = base;
  }

  @Operation(name = "$status", idempotent = true, typeName = "Subscription")
  public Bundle status(@IdParam IIdType id) {
    Subscription sub = (Subscription) reader.read("Subscription", id.getIdPart());
    return NotificationBundles.queryStatus(base, sub, events.sinceStart(id.getIdPart()));
  }
}
