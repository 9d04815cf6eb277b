package org.radbridge.server.searchparam;

import java.util.Set;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.SearchParameter;
import org.radbridge.server.search.CustomSearchParameters;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** An active SearchParameter queues, in its own transaction, the reindex job that makes it searchable. */
@Component
class SearchParameterReindex implements WriteHook {
  private final CustomSearchParameters searchParameters;

  SearchParameterReindex(CustomSearchParameters searchParameters) {
    this.searchParameters = searchParameters;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("SearchParameter");
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof SearchParameter sp && sp.getStatus() == Enumerations.PublicationStatus.ACTIVE) {
      searchParameters.queueReindex("SearchParameter/" + e.id(), sp);
    }
  }
}
