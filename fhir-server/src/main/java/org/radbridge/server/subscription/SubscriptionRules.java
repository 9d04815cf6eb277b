package org.radbridge.server.subscription;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.Subscription;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.springframework.stereotype.Component;

/**
 * Checks a Subscription before it is written and moves it along its lifecycle: a subscription this
 * server can serve goes from requested (or error, when the client asks again) to active in the
 * same write; one it cannot serve is refused with a 422 naming why — an unknown type or search
 * parameter, an unsupported channel, a rest-hook endpoint outside
 * {@code radbridge.subscriptions.allowed-endpoints}.
 */
@Component
public class SubscriptionRules {
  private final FhirContext ctx;
  private final SearchService search;
  private final RadBridgeProperties props;

  public SubscriptionRules(FhirContext ctx, SearchService search, RadBridgeProperties props) {
    this.ctx = ctx;
    this.search = search;
    this.props = props;
  }

  public void prepare(Subscription s) {
    SubscriptionSpec spec = SubscriptionSpec.of(s);
    if (!ctx.getResourceTypes().contains(spec.resourceType())) {
      throw new UnprocessableEntityException("Subscription.criteria: '" + spec.resourceType() + "' is not a resource type");
    }
    for (SearchCriteria.Clause c : spec.criteria().clauses()) {
      if (!search.isKnown(spec.resourceType(), c)) {
        throw new UnprocessableEntityException("Subscription.criteria: '" + c.rawName() + "' is not a search parameter of "
            + spec.resourceType() + " this server supports");
      }
    }
    if (spec.channel() == Subscription.SubscriptionChannelType.RESTHOOK) {
      String endpoint = spec.endpoint();
      if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
        throw new UnprocessableEntityException("Subscription.channel.endpoint must be an http(s) URL for rest-hook");
      }
      if (props.getSubscriptions().getAllowedEndpoints().stream().noneMatch(endpoint::startsWith)) {
        throw new UnprocessableEntityException("Subscription.channel.endpoint " + endpoint + " is not allowed: "
            + "rest-hook endpoints must start with one of radbridge.subscriptions.allowed-endpoints "
            + props.getSubscriptions().getAllowedEndpoints());
      }
    }
    if (!s.hasStatus() || s.getStatus() == Subscription.SubscriptionStatus.REQUESTED) {
      s.setStatus(Subscription.SubscriptionStatus.ACTIVE);
      s.setError(null);
    }
  }
}
