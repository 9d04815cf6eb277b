package org.radbridge.server.hl7v2;

import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.mappers.hl7v2.OruMapper;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.terminology.NetworkUrls;
import org.springframework.stereotype.Component;

/**
 * A report from a known hospital for an order that is not routed to it (e.g. re-routed while it was
 * being read): kept, since it is a specialist's work, but apart from the order — no basedOn, so no
 * Task, turnaround, outbound ORU or subscription of the order hears of it — tagged
 * {@code work-item#quarantined} for a person. It names the order by the numbers the message gave
 * (the order's identifiers with those values) and its patient by PID-3 alone; with no order to
 * inherit readers from, only the sending hospital and the administrators read it.
 */
@Component
class ReportQuarantine {
  static final Coding QUARANTINED = new Coding(NetworkUrls.WORK_ITEM, "quarantined",
      "Report from a hospital the order is not routed to");

  private final ResourceWriter writer;
  private final IdentitySystems identity;

  ReportQuarantine(ResourceWriter writer, IdentitySystems identity) {
    this.writer = writer;
    this.identity = identity;
  }

  /** Whether {@code orgKey} is one of the order's current readers (its performer organisations). */
  static boolean routedTo(ServiceRequest order, String orgKey) {
    return order.getPerformer().stream().map(p -> OrgRef.parse(p.getReference())).flatMap(java.util.Optional::stream)
        .anyMatch(r -> r.key().equals(orgKey));
  }

  /** The organisations the order is routed to, for the sender's ERR text. */
  static String readersOf(ServiceRequest order) {
    String readers = order.getPerformer().stream().map(p -> OrgRef.parse(p.getReference()))
        .flatMap(java.util.Optional::stream).map(OrgRef::key).collect(Collectors.joining(", "));
    return readers.isEmpty() ? "no reading hospital" : readers;
  }

  /** Stores the report and its Observations in quarantine; returns the report's id. */
  String keep(OruMapper.MappedReport mapped, ServiceRequest order, Caller caller) {
    DiagnosticReport dr = mapped.report();
    Set<String> numbers = new java.util.HashSet<>();
    if (mapped.accessionNumber() != null) {
      numbers.add(mapped.accessionNumber());
    }
    for (OruMapper.EntityId id : java.util.Arrays.asList(mapped.placer(), mapped.filler())) {
      if (id != null) {
        numbers.add(id.value());
      }
    }
    // the order as the message named it: its numbers, not a reference a workflow would follow
    for (Identifier i : order.getIdentifier()) {
      if (numbers.contains(i.getValue()) && i.hasType()) {
        dr.addIdentifier(i.copy());
      }
    }
    Reference patient = patientAsSent(mapped.patient(), caller.organization());
    dr.setSubject(patient);
    dr.getMeta().addTag(QUARANTINED.copy());
    for (Observation obs : mapped.observations()) {
      obs.setSubject(patient.copy());
      obs.getMeta().addTag(QUARANTINED.copy());
      ResourceWriter.WriteOutcome written = writer.write(WriteRequest.conditionalUpdate("Observation",
          SearchCriteria.where().token("identifier", obs.getIdentifierFirstRep().getSystem(),
              obs.getIdentifierFirstRep().getValue()).token("_tag", QUARANTINED.getSystem(), QUARANTINED.getCode())
              .build(), obs, null, caller));
      dr.addResult(new Reference("Observation/" + written.id().getIdPart()));
    }
    // a correction of a quarantined report updates it, apart from any report attached to an order
    return writer.write(WriteRequest.conditionalUpdate("DiagnosticReport", SearchCriteria.where()
        .token("identifier", dr.getIdentifierFirstRep().getSystem(), dr.getIdentifierFirstRep().getValue())
        .token("_tag", QUARANTINED.getSystem(), QUARANTINED.getCode()).build(), dr, null, caller)).id().getIdPart();
  }

  /** PID-3 as a logical reference (identifier and name): the patient named, not the stored Patient. */
  private Reference patientAsSent(OrmMapper.PatientData p, String senderOrg) {
    Reference r = new Reference().setType("Patient");
    if (p != null && p.id() != null && !p.id().isBlank()) {
      r.setIdentifier(new Identifier().setSystem(identity.patientIdSystem(p.assigningAuthority(), senderOrg))
          .setValue(p.id().trim()));
      String name = java.util.stream.Stream.of(p.family(), p.given()).filter(s -> s != null && !s.isBlank())
          .collect(Collectors.joining(" "));
      if (!name.isEmpty()) {
        r.setDisplay(name);
      }
    }
    return r;
  }
}
