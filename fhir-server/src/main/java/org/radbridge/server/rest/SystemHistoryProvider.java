package org.radbridge.server.rest;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;

/** System-level interactions: {@code GET /fhir/_history}. */
public class SystemHistoryProvider {
  private final HistoryPages history;

  public SystemHistoryProvider(HistoryPages history) {
    this.history = history;
  }

  @History
  public IBundleProvider systemHistory(@Since Date since, @Count Integer count,
      RequestDetails request) {
    return history.firstPage(null, null, since, count, request);
  }
}
