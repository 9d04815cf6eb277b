package org.radbridge.server.subscription;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.ResponseDetails;

/**
 * Masks Subscription channel headers in every REST answer — read, vread, search, history,
 * includes, a write's returned representation, a transaction's response — before it is encoded
 * (the stored-JSON fast read path leaves Subscriptions to HAPI for this reason).
 */
public class ChannelHeaderMasking {
  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean mask(ResponseDetails response) {
    response.setResponseResource(ChannelHeaders.masked(response.getResponseResource()));
    return true;
  }
}
