package org.radbridge.server.bundle;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Map;

/** The first page of a search, for a bundle's GET entries; the REST layer's search paging provides it. */
public interface EntrySearch {
  IBundleProvider firstPage(String type, Map<String, String[]> params, RequestDetails request);
}
