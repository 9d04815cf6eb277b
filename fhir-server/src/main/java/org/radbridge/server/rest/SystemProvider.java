package org.radbridge.server.rest;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Date;
import org.radbridge.server.search.SearchParamRegistry;

/** System-level interactions: {@code GET /fhir/_history} and {@code GET /fhir?_type=...}. */
public class SystemProvider {
  private final HistoryPages history;
  private final SearchPages search;
  private final SearchParamRegistry registry;

  public SystemProvider(HistoryPages history, SearchPages search, SearchParamRegistry registry) {
    this.history = history;
    this.search = search;
    this.registry = registry;
  }

  @History
  public IBundleProvider systemHistory(@Since Date since, @Count Integer count, RequestDetails request) {
    return history.firstPage(null, null, since, count, request);
  }

  /** Search across types: {@code _type} lists them; without it only common parameters apply. */
  @Search(allowUnknownParams = true)
  public IBundleProvider systemSearch(RequestDetails request) {
    String[] types = request.getParameters().get("_type");
    String typeSpec = null;
    if (types != null && types.length > 0) {
      StringBuilder sb = new StringBuilder();
      for (String group : types) {
        for (String t : group.split(",")) {
          if (t.isBlank()) continue;
          if (!registry.isResourceType(t.trim())) {
            throw new InvalidRequestException("_type names an unknown resource type '" + t.trim() + "'");
          }
          if (sb.length() > 0) sb.append(',');
          sb.append(t.trim());
        }
      }
      typeSpec = sb.length() == 0 ? null : sb.toString();
    }
    return search.firstPage(typeSpec, request.getParameters(), request);
  }
}
