package org.radbridge.server.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.write.Caller;

/**
 * Lists every resource a break-glass session is shown — a read, a search page with its includes,
 * history, {@code $everything} — for review, before the answer goes out. (The stored-JSON read fast
 * path leaves such callers to HAPI so that nothing is shown unlisted.)
 */
public class BreakGlassReadTrail {
  private static final Set<RestOperationTypeEnum> WRITES = Set.of(RestOperationTypeEnum.CREATE,
      RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE);
  private final RestCallers callers;
  private final BreakGlassSessions sessions;

  public BreakGlassReadTrail(RestCallers callers, BreakGlassSessions sessions) {
    this.callers = callers;
    this.sessions = sessions;
  }

  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean outgoing(RequestDetails request, ResponseDetails response) {
    IBaseResource shown = response.getResponseResource();
    if (shown == null || shown instanceof OperationOutcome || WRITES.contains(request.getRestOperationType())) {
      return true; // a write's own answer: BreakGlassWriteTrail lists the write
    }
    Caller caller = callers.currentOrNull();
    if (caller == null || caller.breakGlass() == null) {
      return true;
    }
    Set<String> refs = new LinkedHashSet<>();
    if (shown instanceof Bundle bundle) {
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        add(refs, entry.getResource());
      }
    } else {
      add(refs, shown);
    }
    String interaction = request.getRestOperationType() == null ? "read"
        : request.getRestOperationType().getCode().toLowerCase(Locale.ROOT);
    sessions.touched(caller.breakGlass(), interaction, refs);
    return true;
  }

  private static void add(Set<String> refs, IBaseResource r) {
    if (r instanceof Resource res && !(r instanceof OperationOutcome) && res.getIdElement().hasIdPart()) {
      refs.add(res.fhirType() + "/" + res.getIdElement().getIdPart());
    }
  }
}
