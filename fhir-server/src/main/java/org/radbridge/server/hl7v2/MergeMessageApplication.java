package org.radbridge.server.hl7v2;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.group.ADT_A39_PATIENT;
import ca.uhn.hl7v2.model.v251.message.ADT_A39;
import java.util.List;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.mappers.hl7v2.V2FieldError;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.PatientIdentity;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.server.terminology.NetworkConformance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * ADT^A40 (merge patient, patient identifier list): the Patient named by MRG-1 stops being used —
 * it becomes inactive with {@code link} replaced-by the survivor (PID-3), the survivor gets a
 * {@code replaces} link — and every order, study, report and Task that pointed at it points at
 * the survivor. All of it through the one write path in the message's one transaction, so history
 * keeps the versions from before the merge. Both patients must be the sender's organisation's
 * ({@link SenderOwnership}: AE 207 at PID-3 or MRG-1, nothing merged): a merge rewrites every order,
 * study and report of the patient.
 */
@Component
public class MergeMessageApplication extends LoggedMessageApplication {
  private static final Logger log = LoggerFactory.getLogger(MergeMessageApplication.class);
  /** The resources of a patient's imaging that move to the survivor, with the parameter naming the patient. */
  private static final List<String[]> MOVED = List.of(new String[] {"ServiceRequest", "subject"},
      new String[] {"ImagingStudy", "subject"}, new String[] {"DiagnosticReport", "subject"},
      new String[] {"Observation", "subject"}, new String[] {"Task", "subject"});
  private static final int MAX_MOVED = 10_000;

  private final PatientIdentity patients;
  private final org.radbridge.server.network.PatientMapping mapping;
  private final SenderOwnership ownership;
  private final IdentitySystems identity;
  private final SearchService search;
  private final ResourceReader reader;
  private final ResourceWriter writer;
  private final FhirContext ctx;

  public MergeMessageApplication(NetworkDirectory directory, PatientIdentity patients, IdentitySystems identity,
      SearchService search, ResourceReader reader, ResourceWriter writer, FhirContext ctx,
      NetworkConformance conformance, MessageLog messages, TransactionTemplate tx, ReadinessGate ready,
      org.radbridge.server.network.PatientMapping mapping, SenderOwnership ownership) {
    super(messages, tx, ready, directory, conformance);
    this.mapping = mapping;
    this.ownership = ownership;
    this.patients = patients;
    this.identity = identity;
    this.search = search;
    this.reader = reader;
    this.writer = writer;
    this.ctx = ctx;
  }

  @Override
  public boolean canProcess(Message message) {
    return message instanceof ADT_A39;
  }

  @Override
  Message process(Message message, Caller caller) throws HL7Exception {
    String orgKey = caller.organization();
    ADT_A39 a40 = (ADT_A39) message;
    for (ADT_A39_PATIENT group : a40.getPATIENTAll()) {
      merge(group, caller);
    }
    return ack(message, AcknowledgmentCode.AA, null);
  }

  private void merge(ADT_A39_PATIENT group, Caller caller) throws HL7Exception {
    String orgKey = caller.organization();
    OrmMapper.PatientData survivorData = OrmMapper.patient(group.getPID());
    CX prior = group.getMRG().getPriorPatientIdentifierList(0);
    String priorValue = prior.getIDNumber().getValue();
    if (priorValue == null || priorValue.isBlank()) {
      throw V2FieldError.missing("MRG-1", "MRG-1 (prior patient identifier) is empty");
    }
    String priorSystem = identity.patientIdSystem(prior.getAssigningAuthority().getNamespaceID().getValue(), orgKey);
    ownership.checkPatientId("MRG-1", priorSystem, priorValue.trim(), orgKey);
    Patient survivorMapped = mapping.fromHl7(survivorData, orgKey);
    ownership.checkPatient(survivorMapped, orgKey);
    List<SearchService.Match> found = search.match("Patient",
        SearchCriteria.where().token("identifier", priorSystem, priorValue.trim()).build(), 2);
    if (found.isEmpty()) {
      throw V2FieldError.unknownKey("MRG-1", "MRG-1 prior patient identifier " + priorValue + " (" + priorSystem + ") matches no patient");
    }
    if (found.size() > 1) {
      throw V2FieldError.unknownKey("MRG-1", "MRG-1 prior patient identifier " + priorValue + " (" + priorSystem
          + ") matches several patients; nothing was merged");
    }
    String priorId = found.get(0).resId();
    String survivorId = patients.resolve(survivorMapped, caller);
    if (priorId.equals(survivorId)) {
      return; // already merged: the identity table follows replaced-by links
    }
    Patient old = (Patient) reader.read("Patient", priorId);
    old.setActive(false);
    old.getLink().removeIf(l -> l.getType() == Patient.LinkType.REPLACEDBY);
    old.addLink().setType(Patient.LinkType.REPLACEDBY).setOther(new Reference("Patient/" + survivorId));
    old.setMeta(null);
    writer.write(WriteRequest.update("Patient", priorId, old, null, caller));

    Patient survivor = (Patient) reader.read("Patient", survivorId);
    if (survivor.getLink().stream().noneMatch(l -> l.getType() == Patient.LinkType.REPLACES
        && ("Patient/" + priorId).equals(l.getOther().getReference()))) {
      survivor.addLink().setType(Patient.LinkType.REPLACES).setOther(new Reference("Patient/" + priorId));
      survivor.setMeta(null);
      writer.write(WriteRequest.update("Patient", survivorId, survivor, null, caller));
    }

    int moved = 0;
    for (String[] typeAndParam : MOVED) {
      String type = typeAndParam[0];
      List<SearchService.Match> refs = search.match(type,
          SearchCriteria.where().reference(typeAndParam[1], "Patient", priorId).build(), MAX_MOVED + 1);
      if (refs.size() > MAX_MOVED) {
        throw V2FieldError.refused("MRG-1", "MRG-1 patient " + priorValue + " has more than " + MAX_MOVED + " " + type
            + " resources; merge them in smaller steps");
      }
      for (SearchService.Match m : refs) {
        Resource r = (Resource) reader.read(type, m.resId());
        if (repoint(r, "Patient/" + priorId, "Patient/" + survivorId)) {
          r.setMeta(null);
          writer.write(WriteRequest.update(type, m.resId(), r, null, caller));
          moved++;
        }
      }
    }
    log.info("ADT^A40 from {}: Patient/{} merged into Patient/{} ({} resources moved)", orgKey, priorId, survivorId,
        moved);
  }

  /** Every reference to {@code from} in the resource now names {@code to}. */
  private boolean repoint(Resource r, String from, String to) {
    boolean changed = false;
    for (Reference ref : ctx.newTerser().getAllPopulatedChildElementsOfType(r, Reference.class)) {
      if (from.equals(ref.getReference())) {
        ref.setReference(to);
        changed = true;
      }
    }
    return changed;
  }
}
