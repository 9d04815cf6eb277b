package org.radbridge.server.subscription;

import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;

/**
 * The backport's R4 notification shapes: a {@code history} Bundle whose first entry is the
 * SubscriptionStatus Parameters (subscription, topic, status, type, events-since-subscription-start,
 * notification-event with its event-number, timestamp and focus), then the focus resource as
 * id-only (fullUrl, request, response) or full-resource; and the {@code searchset} Bundle
 * {@code $status} answers with.
 */
public final class NotificationBundles {
  public static final String NOTIFICATION_PROFILE = SubscriptionSpec.BACKPORT + "backport-subscription-notification-r4";
  public static final String STATUS_PROFILE = SubscriptionSpec.BACKPORT + "backport-subscription-status-r4";

  private NotificationBundles() {}

  /** One event: {@code focus} is null for content {@code empty}; {@code resource} is set only for full-resource. */
  public static Bundle eventNotification(String base, Subscription sub, long eventsSinceStart,
      SubscriptionEvents.Event event, String content, IBaseResource resource) {
    Bundle b = bundle(Bundle.BundleType.HISTORY);
    b.getMeta().addProfile(NOTIFICATION_PROFILE);
    Parameters status = status(base, sub, "event-notification", eventsSinceStart);
    Parameters.ParametersParameterComponent ne = status.addParameter().setName("notification-event");
    ne.addPart().setName("event-number").setValue(new StringType(String.valueOf(event.number())));
    ne.addPart().setName("timestamp").setValue(new InstantType(Date.from(event.at())));
    String focus = base + event.type() + "/" + event.id();
    if (!"empty".equals(content)) {
      ne.addPart().setName("focus").setValue(new Reference(focus));
    }
    addStatus(b, status, sub);
    if (!"empty".equals(content)) {
      Bundle.BundleEntryComponent e = b.addEntry().setFullUrl(focus);
      if ("full-resource".equals(content) && resource != null) {
        e.setResource((Resource) resource);
      }
      boolean first = "1".equals(event.version());
      e.getRequest().setMethod(first ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
          .setUrl(first ? event.type() : event.type() + "/" + event.id());
      e.getResponse().setStatus(first ? "201" : "200");
    }
    return b;
  }

  /** The backport handshake sent when a rest-hook topic subscription becomes active. */
  public static Bundle handshake(String base, Subscription sub, long eventsSinceStart) {
    Bundle b = bundle(Bundle.BundleType.HISTORY);
    b.getMeta().addProfile(NOTIFICATION_PROFILE);
    addStatus(b, status(base, sub, "handshake", eventsSinceStart), sub);
    return b;
  }

  /** {@code $status}: a searchset with the query-status Parameters. */
  public static Bundle queryStatus(String base, Subscription sub, long eventsSinceStart) {
    Bundle b = bundle(Bundle.BundleType.SEARCHSET);
    Parameters status = status(base, sub, "query-status", eventsSinceStart);
    b.addEntry().setFullUrl("urn:uuid:" + status.getIdElement().getIdPart()).setResource(status)
        .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
    b.setTotal(1);
    return b;
  }

  private static Bundle bundle(Bundle.BundleType type) {
    Bundle b = new Bundle();
    b.setId(UUID.randomUUID().toString());
    b.setType(type);
    b.setTimestamp(new Date());
    return b;
  }

  private static Parameters status(String base, Subscription sub, String type, long eventsSinceStart) {
    Parameters p = new Parameters();
    p.setId(UUID.randomUUID().toString());
    p.getMeta().addProfile(STATUS_PROFILE);
    p.addParameter().setName("subscription").setValue(new Reference(base + "Subscription/" + sub.getIdElement().getIdPart()));
    if (sub.getCriteria() != null && sub.getCriteria().startsWith("http")) {
      p.addParameter().setName("topic").setValue(new CanonicalType(sub.getCriteria()));
    }
    p.addParameter().setName("status").setValue(new CodeType(sub.getStatus() == null ? "active" : sub.getStatus().toCode()));
    p.addParameter().setName("type").setValue(new CodeType(type));
    p.addParameter().setName("events-since-subscription-start").setValue(new StringType(String.valueOf(eventsSinceStart)));
    return p;
  }

  private static void addStatus(Bundle b, Parameters status, Subscription sub) {
    Bundle.BundleEntryComponent e = b.addEntry().setFullUrl("urn:uuid:" + status.getIdElement().getIdPart())
        .setResource(status);
    e.getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Subscription/" + sub.getIdElement().getIdPart() + "/$status");
    e.getResponse().setStatus("200");
  }
}
