package org.radbridge.server.searchparam;

import java.util.Set;
import org.radbridge.server.search.CustomSearchParameters;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** The registry of custom search parameters reloads once a SearchParameter change is visible. */
@Component
class SearchParameterReload implements WriteHook {
  private final CustomSearchParameters searchParameters;

  SearchParameterReload(CustomSearchParameters searchParameters) {
    this.searchParameters = searchParameters;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.AFTER_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("SearchParameter");
  }

  @Override
  public void on(WriteEvent e) {
    searchParameters.reload();
  }
}
