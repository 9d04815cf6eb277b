package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.OMI_O23;
import ca.uhn.hl7v2.model.v251.message.ORM_O01;
import org.radbridge.server.RadBridgeProperties;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.PatientIdentity;
import java.util.Set;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.terminology.NetworkConformance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ORM^O01 and OMI^O23 from a community HIS: PID-3 resolves the Patient through the identity table; the order
 * is written (created, or updated by its accession number) through the one write path, with the
 * sender's local procedure code translated to LOINC by its ConceptMap.
 */
@Component
public class OrderMessageApplication extends LoggedMessageApplication {
  private static final Logger log = LoggerFactory.getLogger(OrderMessageApplication.class);

  private final IdentitySystems identity;
  private final PatientIdentity patients;
  private final org.radbridge.server.network.PatientMapping mapping;
  private final ResourceWriter writer;
  private final RadBridgeProperties props;

  public OrderMessageApplication(NetworkDirectory directory, IdentitySystems identity, PatientIdentity patients,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx, ReadinessGate ready,
      RadBridgeProperties props, org.radbridge.server.network.PatientMapping mapping) {
    super(messages, tx, ready, directory, conformance);
    this.mapping = mapping;
    this.props = props;
    this.identity = identity;
    this.patients = patients;
    this.writer = writer;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ORM_O01 || message instanceof OMI_O23;
  }


  /** Order controls that change only the order's status: the message need not repeat the order. */
  private static final Set<String> STATUS_ONLY = Set.of("CA", "OC", "CR", "DC", "OD", "DR", "HD", "OH", "RL", "RO");

  private static String control(Message message) throws HL7Exception {
    return nonNull(new ca.uhn.hl7v2.util.Terser(message).get("/ORDER/ORC-1")); // ORM_O01 and OMI_O23 alike
  }

  /**
   * A message about an order RadBridge already has: a status-only control (cancel, discontinue,
   * hold, release) changes the stored order's status and nothing else; any other (XO, NW again)
   * replaces what the message carries and keeps what it leaves out (requester, reason, timing,
   * performers, identifiers such as the Study UID), as HIS systems often send only what changed.
   */
  static ServiceRequest merge(ServiceRequest stored, ServiceRequest incoming, String control) {
    ServiceRequest out = stored.copy();
    out.setMeta(null);
    out.getMeta().setProfile(incoming.getMeta().getProfile());
    out.setStatus(incoming.getStatus());
    if (STATUS_ONLY.contains(control)) {
      return out;
    }
    out.setCode(incoming.getCode());
    if (incoming.hasPriority()) {
      out.setPriority(incoming.getPriority());
    }
    if (incoming.hasRequester()) {
      out.setRequester(incoming.getRequester());
    }
    if (incoming.hasReasonCode()) {
      out.setReasonCode(incoming.getReasonCode());
    }
    if (incoming.hasOccurrence()) {
      out.setOccurrence(incoming.getOccurrence());
    }
    if (incoming.getPerformerType().hasCoding()) {
      out.setPerformerType(incoming.getPerformerType());
    }
    out.setSubject(incoming.getSubject());
    for (Identifier i : incoming.getIdentifier()) {
      out.getIdentifier().removeIf(k -> java.util.Objects.equals(k.getSystem(), i.getSystem()));
      out.addIdentifier(i);
    }
    return out;
  }

  @Override
  Message process(Message message, Caller caller) throws HL7Exception {
    String orgKey = caller.organization();
    OrmMapper.MappedOrder mapped = message instanceof OMI_O23 omi
        ? OrmMapper.map(omi, localCodeSystem(orgKey), IdentitySystems.SID_BASE + orgKey + "/", props.zone())
        : OrmMapper.map((ORM_O01) message, localCodeSystem(orgKey), IdentitySystems.SID_BASE + orgKey + "/");
    ServiceRequest sr = mapped.order();
    String accessionSystem = identity.accessionSystem(orgKey);
    for (Identifier i : sr.getIdentifier()) {
      if (i.getType().getCoding().stream().anyMatch(c -> "ACSN".equals(c.getCode()))) {
        i.setSystem(accessionSystem);
      }
    }
    translateToLoinc(sr.getCode());
    OrmMapper.PatientData p = mapped.patient();
    String patientId = patients.resolve(mapping.fromHl7(p, orgKey), caller);
    sr.setSubject(new Reference("Patient/" + patientId));
    // created, or merged into the stored order, under the accession's lock: exactly one order per accession
    SearchCriteria byAccession = SearchCriteria.where().token("identifier", accessionSystem, mapped.accessionNumber())
        .build();
    String control = control(message);
    ServiceRequest incoming = sr;
    ResourceWriter.WriteOutcome o = writer.conditionalUpdate("ServiceRequest", byAccession,
        stored -> stored == null ? incoming : merge((ServiceRequest) stored, incoming, control), null, caller);
    log.info("ORM from {}: ServiceRequest/{} {}", orgKey, o.id().getIdPart(), o.created() ? "created" : "updated");
    return ack(message, AcknowledgmentCode.AA, null);
  }
}
