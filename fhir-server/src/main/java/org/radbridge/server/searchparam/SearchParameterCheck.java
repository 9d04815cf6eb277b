package org.radbridge.server.searchparam;

import java.util.Set;
import org.hl7.fhir.r4.model.SearchParameter;
import org.radbridge.server.search.CustomSearchParameters;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** A SearchParameter is refused (422) unless the server can index and search it. */
@Component
class SearchParameterCheck implements WriteHook {
  private final CustomSearchParameters searchParameters;

  SearchParameterCheck(CustomSearchParameters searchParameters) {
    this.searchParameters = searchParameters;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public Set<String> types() {
    return Set.of("SearchParameter");
  }

  @Override
  public void on(WriteEvent e) {
    searchParameters.check((SearchParameter) e.resource());
  }
}
