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
 * path: once per association (not per instance), serialised per study across nodes by an advisory
 * lock, so several associations of one study give one resource with exact counts. The Patient
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
  // debounced syncs: a study is updated once its instances stop arriving for radbridge.dicom.study-quiet-period
  private final java.util.concurrent.ScheduledExecutorService debounce =
      java.util.concurrent.Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "study-sync");
        t.setDaemon(true);
        return t;
      });
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.ScheduledFuture<?>> scheduled =
      new java.util.concurrent.ConcurrentHashMap<>();

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

  /**
   * A new instance of the study was committed: update the ImagingStudy once the association has
   * been quiet for a moment. PixelMed holds an association's thread a while after the release
   * ({@link ReleaseWait}), so waiting for the end of the association would be late; the debounce
   * keeps it to one update per burst of instances, normally one per association.
   */
  public void syncSoon(String studyInstanceUid) {
    scheduled.compute(studyInstanceUid, (uid, previous) -> {
      if (previous != null) {
        previous.cancel(false);
      }
      return debounce.schedule(() -> {
        scheduled.remove(uid);
        try {
          sync(uid);
        } catch (RuntimeException e) {
          log.warn("ImagingStudy of study {} not updated yet: {}", uid, e.getMessage());
        }
      }, props.getDicom().getStudyQuietPeriod().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    });
  }

  /**
   * Updates now every study whose update is waiting for its quiet period; returns how many. For
   * tests, which would otherwise wait on the debounce, and for an orderly shutdown.
   */
  public int flush() {
    int n = 0;
    for (String uid : java.util.List.copyOf(scheduled.keySet())) {
      java.util.concurrent.ScheduledFuture<?> pending = scheduled.remove(uid);
      if (pending != null && pending.cancel(false)) {
        sync(uid);
        n++;
      }
    }
    return n;
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    debounce.shutdownNow();
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
      DicomInstance first = rows.get(0);
      String patient = null;
      if (first.patientId() != null && !first.patientId().isBlank()) {
        patient = "Patient/" + patients.resolve(mapping.fromDicom(first, orgKey), caller);
      }
      String accessionSystem = identity.accessionSystem(orgKey);
      String order = Optional.ofNullable(first.accessionNumber())
          .filter(acc -> !acc.isBlank())
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
      instances.markSynced(studyInstanceUid);
      return written.id().getIdPart();
    });
  }

  /** At start: studies with instance rows their ImagingStudy does not include yet. */
  @EventListener(ApplicationReadyEvent.class)
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

  private String senderOrganization(String callingAe) {
    if (callingAe == null) {
      return UNKNOWN_SENDER;
    }
    return directory.dicomNode(callingAe).map(NetworkDirectory.DicomNode::organization)
        .flatMap(org.radbridge.server.network.OrgRef::parse).map(org.radbridge.server.network.OrgRef::key)
        .orElse(UNKNOWN_SENDER);
  }


}
