package org.radbridge.server.dicom;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Patient;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.mappers.dicom.ImagingStudyMapper;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.IdentitySystems;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.PatientIdentity;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds a study's {@code ImagingStudy} from its instance rows and writes it through the one write
 * path, serialised per study across nodes by an advisory lock, so several associations of one
 * study give one resource with exact counts; {@link StudySyncScheduler} decides when. Only the rows
 * the update read are marked as in it, so an instance committed meanwhile stays due. The Patient
 * comes from the network's identity table (created when absent), {@code basedOn} from the order
 * with the study's accession number. Studies whose rows are not all in their ImagingStudy (a crash
 * between an instance's commit and the update) are repaired at start.
 */
@Component
public class StudyAssembler {
  private static final Logger log = LoggerFactory.getLogger(StudyAssembler.class);
  private static final String UNKNOWN_SENDER = "unknown";
  /** A UID of the study has a component with a leading zero (PS3.5 9.1): accepted, flagged for a person. */
  static final org.hl7.fhir.r4.model.Coding NONCONFORMING_UID = new org.hl7.fhir.r4.model.Coding(
      org.radbridge.terminology.NetworkUrls.WORK_ITEM, "nonconforming-uid", "DICOM UID with a leading zero");

  private final InstanceRows instances;
  private final ResourceRows resourceRows;
  private final ResourceWriter writer;
  private final SearchService search;
  private final NetworkDirectory directory;
  private final org.radbridge.server.network.PatientMapping mapping;
  private final IdentitySystems identity;
  private final PatientIdentity patients;
  private final TransactionTemplate tx;
  private final RadBridgeProperties props;

  public StudyAssembler(InstanceRows instances, ResourceRows resourceRows, ResourceWriter writer, SearchService search,
      NetworkDirectory directory, IdentitySystems identity, PatientIdentity patients, TransactionTemplate tx,
      RadBridgeProperties props, org.radbridge.server.network.PatientMapping mapping) {
    this.mapping = mapping;
    this.instances = instances;
    this.resourceRows = resourceRows;
    this.writer = writer;
    this.search = search;
    this.directory = directory;
    this.identity = identity;
    this.patients = patients;
    this.tx = tx;
    this.props = props;
  }

  /** Brings the study's ImagingStudy up to date with its instance rows; returns its id. */
  public String sync(String studyInstanceUid) {
    return tx.execute(s -> {
      resourceRows.lockKey("dicom-study:" + studyInstanceUid);
      SearchCriteria criteria = SearchCriteria.where().token("identifier", "urn:dicom:uid", "urn:oid:" + studyInstanceUid)
          .build();
      if (!instances.hasUnsynced(studyInstanceUid)) {
        // nothing new since the last update (a duplicate, or another association synced it)
        Optional<String> existing = search.match("ImagingStudy", criteria, 1).stream()
            .findFirst().map(SearchService.Match::resId);
        if (existing.isPresent()) {
          return existing.get();
        }
      }
      List<DicomInstance> rows = instances.ofStudy(studyInstanceUid);
      if (rows.isEmpty()) {
        return null;
      }
      String callingAe = instances.sender(studyInstanceUid);
      String orgKey = senderOrganization(callingAe);
      Caller caller = Caller.dicomNode(callingAe == null ? "unknown" : callingAe, UNKNOWN_SENDER.equals(orgKey) ? null : orgKey);
      DicomInstance withPatientId = rows.stream().filter(i -> !blank(i.patientId())).findFirst().orElse(rows.get(0));
      // without a Patient ID the mapping identifies the patient by the study (PatientMapper)
      Patient mapped = mapping.fromDicom(withPatientId, orgKey);
      String patient = mapped.hasIdentifier() ? "Patient/" + patients.resolve(mapped, caller) : null;
      String accessionSystem = identity.accessionSystem(orgKey);
      String order = rows.stream().map(DicomInstance::accessionNumber).filter(acc -> !blank(acc)).findFirst()
          .flatMap(acc -> search.match("ServiceRequest",
                  SearchCriteria.where().token("identifier", accessionSystem, acc).build(), 1)
              .stream().findFirst())
          .map(m -> new org.radbridge.server.workflow.OrderRef(m.resId()).reference()).orElse(null);
      ImagingStudy study = ImagingStudyMapper.map(rows,
          new ImagingStudyMapper.Context(accessionSystem, patient, order, props.zone()));
      if (rows.stream().anyMatch(r -> DicomUids.hasLeadingZero(r.studyInstanceUid())
          || DicomUids.hasLeadingZero(r.seriesInstanceUid()) || DicomUids.hasLeadingZero(r.sopInstanceUid()))) {
        study.getMeta().addTag(NONCONFORMING_UID); // stored as sent; a person tells the sender
      }
      ResourceWriter.WriteOutcome written = writer.write(WriteRequest.conditionalUpdate("ImagingStudy", criteria, study,
          null, caller));
      // forwarding reacts to the ImagingStudy write (StudyForwarding)
      instances.markSynced(studyInstanceUid, rows.stream().map(DicomInstance::sopInstanceUid).toList());
      return written.id().getIdPart();
    });
  }

  /**
   * At start, on a thread of its own: a write waits for the validator, which ConformanceStartup
   * warms after this same event — on the thread that publishes it, the repair would wait for ever.
   */
  @EventListener(ApplicationReadyEvent.class)
  public void repairInBackground() {
    Thread t = new Thread(this::repair, "study-repair");
    t.setDaemon(true);
    t.start();
  }

  /** Studies with instance rows their ImagingStudy does not include yet. */
  public void repair() {
    for (String uid : instances.unsyncedStudies()) {
      try {
        log.info("Repairing ImagingStudy of study {}", uid);
        sync(uid);
      } catch (RuntimeException e) {
        log.warn("Study {} could not be repaired: {}", uid, e.getMessage());
      }
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private String senderOrganization(String callingAe) {
    if (callingAe == null) {
      return UNKNOWN_SENDER;
    }
    return directory.dicomNode(callingAe).map(NetworkDirectory.DicomNode::organization)
        .flatMap(org.radbridge.server.network.OrgRef::parse).map(org.radbridge.server.network.OrgRef::key)
        .orElse(UNKNOWN_SENDER);
  }


}
