package org.radbridge.server.security;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.Visibility;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/**
 * What a client or person acting for an organisation writes may name as its patient
 * ({@code subject}, {@code patient}) and its orders ({@code basedOn}) only patients and orders it
 * may read (422 otherwise): a centre writes for its own patients and orders, a hospital its reports
 * and observations for the orders routed to it.
 */
@Component
class ReferenceScope implements WriteHook {
  private final ResourceRows rows;
  private final RestCallers callers;

  ReferenceScope(ResourceRows rows, RestCallers callers) {
    this.rows = rows;
    this.callers = callers;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    Visibility v = WriteScope.restricted(callers, e.caller());
    if (v == null || !(e.resource() instanceof Resource resource)) {
      return;
    }
    for (String ref : patientsAndOrders(resource)) {
      String type = ref.substring(0, ref.indexOf('/'));
      String id = ref.substring(ref.indexOf('/') + 1);
      if (rows.readCurrent(type, id, v).isEmpty()) {
        throw new UnprocessableEntityException(e.type() + " names " + ref
            + ", which is not among the resources your organisation may read");
      }
    }
  }

  /** Relative Patient and ServiceRequest references in subject, patient and basedOn. */
  private static List<String> patientsAndOrders(Resource r) {
    List<String> refs = new ArrayList<>();
    for (String name : List.of("subject", "patient", "basedOn")) {
      Property p = r.getNamedProperty(name);
      if (p == null) {
        continue;
      }
      for (Base value : p.getValues()) {
        if (value instanceof Reference ref && ref.getReference() != null) {
          String v = ref.getReference();
          int h = v.indexOf("/_history/");
          v = h < 0 ? v : v.substring(0, h);
          if (v.matches("(Patient|ServiceRequest)/[A-Za-z0-9\\-.]{1,64}")) {
            refs.add(v);
          }
        }
      }
    }
    return refs;
  }
}
