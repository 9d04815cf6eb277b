package org.radbridge.server.security;

import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * When an order's organisations change — a new order, a requester or a route that changed (a
 * re-routed order) — its patient and what belongs to it (studies, reports, observations, tasks)
 * get their readers recomputed in the same transaction ({@link ResourceRows#recomputeInheritedReaders}).
 */
@Component
class ReaderPropagation implements WriteHook {
  private final ResourceRows rows;

  ReaderPropagation(ResourceRows rows) {
    this.rows = rows;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("ServiceRequest");
  }

  @Override
  public void on(WriteEvent e) {
    ServiceRequest now = (ServiceRequest) e.resource();
    ServiceRequest before = (ServiceRequest) e.previous();
    if (now == null || before != null && organisations(before).equals(organisations(now))
        && before.getSubject().getReference() != null
        && before.getSubject().getReference().equals(now.getSubject().getReference())) {
      return;
    }
    String subject = now.getSubject().getReference();
    String patientId = subject != null && subject.startsWith("Patient/") ? subject.substring("Patient/".length()) : null;
    rows.recomputeInheritedReaders(e.id(), patientId);
  }

  private static Set<String> organisations(ServiceRequest sr) {
    Set<String> keys = new TreeSet<>();
    OrgRef.parse(sr.getRequester().getReference()).map(OrgRef::key).ifPresent(keys::add);
    for (Reference p : sr.getPerformer()) {
      OrgRef.parse(p.getReference()).map(OrgRef::key).ifPresent(keys::add);
    }
    return keys;
  }
}
