package org.radbridge.server.audit;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Reference;

/**
 * A stored record as a FHIR R4 AuditEvent in the shape of IHE BALP: type and subtype, action,
 * outcome, the requesting agent (its identity, organisation, address, break-glass purpose of use),
 * RadBridge as the source, the patients and the other resources as entities, a search's query.
 */
public final class AuditEventRendering {
  public static final String SUBTYPE_SYSTEM = "https://radbridge.org/fhir/CodeSystem/audit-subtype";
  static final String AGENT_SYSTEM = "https://radbridge.org/fhir/sid/";
  private static final String OBJECT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
  private static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";

  private AuditEventRendering() {}

  public static AuditEvent render(AuditRecordRow row) {
    AuditRecord r = row.record();
    AuditEvent e = new AuditEvent();
    e.setId(String.valueOf(row.id()));
    e.setMeta(new Meta().setVersionId("1").setLastUpdated(Date.from(r.recorded())));
    e.setType(new Coding(AuditTypes.system(r.type()), r.type(), AuditTypes.display(r.type())));
    e.addSubtype(AuditTypes.REST.equals(r.type())
        ? new Coding(AuditTypes.RESTFUL_INTERACTION, r.subtype(), null) : new Coding(SUBTYPE_SYSTEM, r.subtype(), null));
    e.setAction(AuditEvent.AuditEventAction.fromCode(String.valueOf(r.action())));
    e.setRecorded(Date.from(r.recorded()));
    e.setOutcome(AuditEvent.AuditEventOutcome.fromCode(String.valueOf(r.outcome())));
    if (r.outcomeText() != null) {
      e.setOutcomeDesc(r.outcomeText());
    }
    AuditRecord.Agent a = r.agent();
    AuditEvent.AuditEventAgentComponent agent = e.addAgent().setRequestor(true);
    agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(AGENT_SYSTEM + a.kind()).setValue(a.name()))
        .setDisplay(a.name()));
    agent.setAltId(a.kind());
    if (a.address() != null) {
      agent.getNetwork().setAddress(a.address()).setType(AuditEvent.AuditEventAgentNetworkType._2); // IP address
    }
    if (a.breakGlass() != null) {
      agent.addPurposeOfUse().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG",
          "break the glass")).setText("break-glass session " + a.breakGlass());
    }
    if (a.organization() != null) {
      e.addAgent().setRequestor(false).setWho(new Reference("Organization/org-" + a.organization()))
          .setName("organisation the agent acts for");
    }
    e.getSource().setSite("RadBridge").setObserver(new Reference().setDisplay("RadBridge"))
        .addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
    for (String patient : r.patients()) {
      e.addEntity().setWhat(new Reference("Patient/" + patient))
          .setType(new Coding(OBJECT_TYPE, "1", "Person")).setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
    }
    for (String ref : r.entities()) {
      if (ref.startsWith("Patient/") && r.patients().contains(ref.substring("Patient/".length()))) {
        continue;
      }
      e.addEntity().setWhat(new Reference(ref)).setType(new Coding(OBJECT_TYPE, "2", "System Object"))
          .setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"));
    }
    if (r.entityCount() > r.entities().size()) {
      e.addEntity().setDescription((r.entityCount() - r.entities().size()) + " more resources not listed");
    }
    if (r.detail() != null) {
      AuditEvent.AuditEventEntityComponent d = e.addEntity().setType(new Coding(OBJECT_TYPE, "2", "System Object"));
      if (r.detail().contains("?") && AuditTypes.REST.equals(r.type())) {
        d.setRole(new Coding(OBJECT_ROLE, "24", "Query")).setQuery(r.detail().getBytes(StandardCharsets.UTF_8));
      } else {
        d.setDescription(r.detail());
      }
    }
    if (r.requestId() != null) {
      e.getSource().addExtension("https://radbridge.org/fhir/StructureDefinition/request-id",
          new org.hl7.fhir.r4.model.StringType(r.requestId()));
    }
    return e;
  }
}
