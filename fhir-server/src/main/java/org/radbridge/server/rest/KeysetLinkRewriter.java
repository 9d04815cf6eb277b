package org.radbridge.server.rest;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * HAPI builds the first history page's "next" link as an offset; this replaces it with the keyset
 * link ({@code _getpages} + cursor) that the stateless paging provider serves. Later pages already
 * come through the paging provider and carry keyset links.
 */
public class KeysetLinkRewriter {
  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean rewrite(RequestDetails request, IBaseResource resource) {
    Object self = request.getUserData().get(SearchPages.SELF_LINK_KEY);
    if (self != null && resource instanceof Bundle b) {
      // the self link of a search lists the parameters it used, not those it ignored
      b.getLink().removeIf(l -> "self".equals(l.getRelation()));
      b.getLink().add(0, new Bundle.BundleLinkComponent().setRelation("self").setUrl(self.toString()));
    }
    Object next = request.getUserData().get(HistoryPages.NEXT_PAGE_KEY);
    if (next == null || !(resource instanceof Bundle bundle)) {
      return true;
    }
    bundle.getLink().removeIf(l -> "next".equals(l.getRelation()) || "previous".equals(l.getRelation()));
    if (!next.toString().isEmpty()) {
      bundle.addLink().setRelation("next").setUrl(request.getFhirServerBase() + "?_getpages=" + next
          + "&_bundletype=history");
    }
    return true;
  }
}
