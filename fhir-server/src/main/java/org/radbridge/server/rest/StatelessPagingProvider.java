package org.radbridge.server.rest;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;
import java.util.Map;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.security.RestScopeCheck;
import org.radbridge.server.security.SmartScopes;

/**
 * HAPI's paging hook without server-side storage: page links carry everything needed to run the
 * next page's query, so nothing is kept in memory and any node answers any link.
 */
public class StatelessPagingProvider implements IPagingProvider {
  private final RadBridgeProperties props;
  private final HistoryPages history;
  private final SearchPages search;
  private final LinkSigner signer;
  private final RestScopeCheck scopes;

  public StatelessPagingProvider(RadBridgeProperties props, HistoryPages history, SearchPages search,
      LinkSigner signer, RestScopeCheck scopes) {
    this.scopes = scopes;
    this.props = props;
    this.history = history;
    this.search = search;
    this.signer = signer;
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
  /** Serves a page only for a link this server signed (any node's signature: the key is shared). */
  public IBundleProvider retrieveResultList(RequestDetails request, String searchId, String pageId) {
    if (searchId == null || !searchId.startsWith(HistoryPages.PREFIX) && !searchId.startsWith(SearchPages.PREFIX)) {
      throw LinkSigner.damaged();
    }
    String cursor = signer.verify(searchId, pageId);
    // a link is not a permission: whoever follows it needs the scopes its first page needed
    if (searchId.startsWith(HistoryPages.PREFIX)) {
      Map.Entry<String, Boolean> read = HistoryPages.scopeOf(searchId);
      scopes.requireForEntry(read.getKey(), read.getValue() ? SmartScopes.Interaction.READ : SmartScopes.Interaction.SEARCH);
    } else {
      for (String type : SearchPages.typesOf(searchId)) {
        scopes.requireForEntry(type, SmartScopes.Interaction.SEARCH);
      }
    }
    return searchId.startsWith(HistoryPages.PREFIX) ? history.page(searchId, cursor) : search.page(searchId, cursor);
  }

  @Override
  public String storeResultList(RequestDetails request, IBundleProvider provider) {
    // the provider's id already encodes its query
    return provider.getUuid();
  }
}
