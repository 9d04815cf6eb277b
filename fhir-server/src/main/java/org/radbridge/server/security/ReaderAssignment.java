package org.radbridge.server.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.store.Readers;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Which organisations may read a resource, decided as it is written (last of PREPARE, after the
 * workflow has routed an order):
 * <ul>
 *   <li>the network directory and the conformance resources: every organisation;</li>
 *   <li>anything: the organisation its writer acts for;</li>
 *   <li>a Patient: the organisations whose identifier systems it carries, and (inherited) those of
 *       its orders;</li>
 *   <li>a ServiceRequest: its requester, the organisations whose accession systems it is numbered in,
 *       and its performers (the reading hospital it is routed to);</li>
 *   <li>what belongs to orders — ImagingStudy, DiagnosticReport, Observation, Task (basedOn,
 *       focus) — inherits its orders' readers.</li>
 * </ul>
 * {@link ReaderPropagation} passes an order's change on to its patient and what belongs to it.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class ReaderAssignment implements WriteHook {
  private final IdentitySystems systems;
  private final ResourceRows rows;

  ReaderAssignment(IdentitySystems systems, ResourceRows rows) {
    this.systems = systems;
    this.rows = rows;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    IBaseResource r = e.resource();
    if (r == null) {
      return;
    }
    Set<String> own = new LinkedHashSet<>();
    if (e.caller() != null && e.caller().organization() != null && !ScopeGuard.ADMINISTRATION.contains(e.type())) {
      own.add(e.caller().organization());
    }
    own.addAll(ownReaders(e.type(), r));
    e.addOwnReaders(own);
    Set<String> inherited = inheritedReaders(e.type(), e.id(), r);
    if (!inherited.isEmpty()) {
      e.addInheritedReaders(inherited);
    }
  }

  /** The organisations that read a resource for what it says itself (its writer aside). */
  Set<String> ownReaders(String type, IBaseResource r) {
    if (ScopeGuard.ADMINISTRATION.contains(type)) {
      return Set.of(Readers.EVERY_ORGANISATION);
    }
    Set<String> own = new LinkedHashSet<>();
    if (r instanceof Patient p) {
      for (Identifier id : p.getIdentifier()) {
        systems.orgOfPatientIdSystem(id.getSystem()).ifPresent(own::add);
      }
    } else if (r instanceof ServiceRequest sr) {
      OrgRef.parse(sr.getRequester().getReference()).map(OrgRef::key).ifPresent(own::add);
      // the organisation whose accession numbers it carries (an order numbered in centre A's system is centre A's)
      for (Identifier id : sr.getIdentifier()) {
        systems.orgOfAccessionSystem(id.getSystem()).ifPresent(own::add);
      }
      for (Reference performer : sr.getPerformer()) {
        OrgRef.parse(performer.getReference()).map(OrgRef::key).ifPresent(own::add);
      }
    }
    return own;
  }

  /** What a resource inherits from the orders it belongs to (a patient: from its orders). */
  Set<String> inheritedReaders(String type, String id, IBaseResource r) {
    if (ScopeGuard.ADMINISTRATION.contains(type) || r instanceof ServiceRequest) {
      return Set.of();
    }
    if (r instanceof Patient) {
      return id == null ? Set.of() : rows.readersOfOrdersFor("Patient/" + id);
    }
    List<String> orders = orderIds(r);
    return orders.isEmpty() ? Set.of() : rows.readersOf("ServiceRequest", orders);
  }

  /** The ServiceRequests a resource belongs to (relative references). */
  private static List<String> orderIds(IBaseResource r) {
    List<Reference> refs = new ArrayList<>();
    if (r instanceof ImagingStudy s) {
      refs.addAll(s.getBasedOn());
    } else if (r instanceof DiagnosticReport d) {
      refs.addAll(d.getBasedOn());
    } else if (r instanceof Observation o) {
      refs.addAll(o.getBasedOn());
    } else if (r instanceof Task t) {
      refs.addAll(t.getBasedOn());
      refs.add(t.getFocus());
    }
    List<String> ids = new ArrayList<>();
    for (Reference ref : refs) {
      String v = ref.getReference();
      if (v != null && v.startsWith("ServiceRequest/")) {
        String id = v.substring("ServiceRequest/".length());
        int h = id.indexOf("/_history");
        ids.add(h < 0 ? id : id.substring(0, h));
      }
    }
    return ids;
  }
}
