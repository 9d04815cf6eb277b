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
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.network.PatientIdentity;
import org.radbridge.mappers.hl7v2.V2FieldError;
import java.util.List;
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
 * sender's local procedure code translated to LOINC by its ConceptMap. Only the sender's own patients and
 * orders ({@link SenderOwnership}).
 */
@Component
public class OrderMessageApplication extends LoggedMessageApplication {
  private static final Logger log = LoggerFactory.getLogger(OrderMessageApplication.class);

  private final IdentitySystems identity;
  private final PatientIdentity patients;
  private final org.radbridge.server.network.PatientMapping mapping;
  private final ResourceWriter writer;
  private final RadBridgeProperties props;
  private final SenderOwnership ownership;

  public OrderMessageApplication(NetworkDirectory directory, IdentitySystems identity, PatientIdentity patients,
      ResourceWriter writer, NetworkConformance conformance, MessageLog messages, TransactionTemplate tx, ReadinessGate ready,
      RadBridgeProperties props, org.radbridge.server.network.PatientMapping mapping, SenderOwnership ownership) {
    super(messages, tx, ready, directory, conformance);
    this.ownership = ownership;
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
    if (!sr.hasRequester()) {
      // ORC-12 and OBR-16 are optional: the order is then the ordering centre's own
      sr.setRequester(new Reference(new OrgRef(orgKey).reference()));
    }
    // the sender's own order and patient, checked before anything is written
    ownership.checkPlacer(message, orgKey);
    org.hl7.fhir.r4.model.Patient patient = mapping.fromHl7(mapped.patient(), orgKey);
    ownership.checkPatient(patient, orgKey);
    String patientId = patients.resolve(patient, caller);
    sr.setSubject(new Reference("Patient/" + patientId));
    List<SearchCriteria.Token> keys = keys(mapped, orgKey);
    if (keys.isEmpty()) {
      throw V2FieldError.missing("ORC-2", "ORC-2 (placer order number), ORC-3 (filler order number) and OBR-18"
          + " (accession number) are all empty: later messages could not name the order");
    }
    // every number the message carries is locked, one by one in a fixed order: a message naming the
    // order by its placer number and one naming it by placer and accession cannot both create it
    for (SearchCriteria.Token key : keys.stream().sorted(java.util.Comparator.comparing(SearchCriteria.Token::system)
        .thenComparing(SearchCriteria.Token::code)).toList()) {
      writer.lock("ServiceRequest", SearchCriteria.where().token("identifier", key.system(), key.code()).build());
    }
    SearchCriteria byNumbers = SearchCriteria.where().anyToken("identifier", keys).build();
    String control = control(message);
    ServiceRequest incoming = sr;
    ResourceWriter.WriteOutcome o;
    try {
      o = writer.conditionalUpdate("ServiceRequest", byNumbers, stored -> {
        if (stored == null && STATUS_ONLY.contains(control)) {
          throw new UnknownOrder(control, mapped);
        }
        if (stored != null) {
          ownership.checkStored((ServiceRequest) stored, orgKey);
        }
        return stored == null ? incoming : merge((ServiceRequest) stored, incoming, control);
      }, null, caller);
    } catch (UnknownOrder e) {
      throw V2FieldError.unknownKey("ORC-2", e.getMessage());
    } catch (SenderOwnership.NotTheSenders e) {
      throw V2FieldError.refused("ORC-2", e.getMessage());
    }
    log.info("{} from {}: ServiceRequest/{} {}", control, orgKey, o.id().getIdPart(), o.created() ? "created" : "updated");
    return OrderAcks.accepted(message, control, (ServiceRequest) o.resource(), accessionSystem, props.getHl7v2().getApplication());
  }

  /**
   * The numbers that name the order within the sender's organisation: the accession number, the
   * placer number, and the filler number — which is the accession number when RadBridge gave it.
   */
  private List<SearchCriteria.Token> keys(OrmMapper.MappedOrder mapped, String orgKey) {
    List<SearchCriteria.Token> keys = new java.util.ArrayList<>();
    String base = IdentitySystems.SID_BASE + orgKey + "/";
    if (mapped.accessionNumber() != null) {
      keys.add(new SearchCriteria.Token(identity.accessionSystem(orgKey), mapped.accessionNumber()));
    }
    if (mapped.placerNumber() != null) {
      keys.add(new SearchCriteria.Token(base + "placer", mapped.placerNumber()));
    }
    if (mapped.fillerNumber() != null) {
      keys.add(new SearchCriteria.Token(base + "filler", mapped.fillerNumber()));
      if (!mapped.fillerNumber().equals(mapped.accessionNumber())) {
        keys.add(new SearchCriteria.Token(identity.accessionSystem(orgKey), mapped.fillerNumber()));
      }
    }
    return keys;
  }

  /** A cancel, hold or release of an order RadBridge does not have: nothing to change (HL7 "unable to"). */
  private static final class UnknownOrder extends RuntimeException {
    UnknownOrder(String control, OrmMapper.MappedOrder mapped) {
      super("ORC-1 " + control + " names no order of the sender: placer number " + mapped.placerNumber()
          + ", filler number " + mapped.fillerNumber() + ", accession number " + mapped.accessionNumber());
    }
  }
}
