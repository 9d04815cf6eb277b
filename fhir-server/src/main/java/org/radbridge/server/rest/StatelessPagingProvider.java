package org.radbridge.server.rest;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.radbridge.server.RadBridgeProperties;

/**
 * HAPI's paging hook without server-side storage: page links carry everything needed to run the
 * next page's query, so nothing is kept in memory and any node answers any link.
 */
public class StatelessPagingProvider implements IPagingProvider {
  private final RadBridgeProperties props;
  private final HistoryPages history;
  private final SearchPages search;

  public StatelessPagingProvider(RadBridgeProperties props, HistoryPages history, SearchPages search) {
    this.props = props;
    this.history = history;
    this.search = search;
  }

  @Override
  public int getDefaultPageSize() {
    return props.getLimits().getDefaultPageSize();
  }

  @Override
  public int getMaximumPageSize() {
    return props.getLimits().getMaxPageSize();
  }

  @Override
  public boolean canStoreSearchResults() {
    return true;
  }

  @Override
  public IBundleProvider retrieveResultList(RequestDetails request, String searchId) {
    return retrieveResultList(request, searchId, null);
  }

  @Override
  public IBundleProvider retrieveResultList(RequestDetails request, String searchId, String pageId) {
    if (searchId != null && searchId.startsWith(HistoryPages.PREFIX)) {
      return history.page(searchId, pageId);
    }
    if (searchId != null && searchId.startsWith(SearchPages.PREFIX)) {
      return search.page(searchId, pageId);
    }
    throw new InvalidRequestException("Unknown or expired paging link '" + searchId + "'");
  }

  @Override
  public String storeResultList(RequestDetails request, IBundleProvider provider) {
    // the provider's id already encodes its query
    return provider.getUuid();
  }
}
