package org.radbridge.server.dicom;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.outbox.Outbox;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.workflow.OrderRef;
import org.radbridge.server.workflow.OrderWorkflow;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Forwarding is a reaction to the order's state, whatever channel changed it: when a study's
 * ImagingStudy is written (instances arrived) or its order is routed or re-routed, whatever of the
 * study the reading hospital's PACS has not been sent is queued, once per instance per
 * destination ({@link ForwardRecord}), as outbox rows in the same transaction, in order per study.
 * The destination is the order's reading organisation; a study without an order goes where the
 * routing rules send its sender's studies of its modality.
 */
@Component
class StudyForwarding implements WriteHook {
  private static final Logger log = LoggerFactory.getLogger(StudyForwarding.class);

  private final ForwardRecord record;
  private final InstanceRows instances;
  private final NetworkDirectory directory;
  private final OrderWorkflow orders;
  private final ResourceReader reader;
  private final SearchService search;
  private final Outbox outbox;

  StudyForwarding(ForwardRecord record, InstanceRows instances, NetworkDirectory directory, OrderWorkflow orders,
      ResourceReader reader, SearchService search, Outbox outbox) {
    this.record = record;
    this.instances = instances;
    this.directory = directory;
    this.orders = orders;
    this.reader = reader;
    this.search = search;
    this.outbox = outbox;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("ImagingStudy", "ServiceRequest");
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() instanceof ImagingStudy study) {
      studyUid(study).ifPresent(uid -> destinationOf(study, uid).ifPresent(org -> forward(uid, org)));
    } else if (e.resource() instanceof ServiceRequest order) {
      Optional<String> now = OrderWorkflow.readingOrganization(order);
      Optional<String> before = e.previous() instanceof ServiceRequest p ? OrderWorkflow.readingOrganization(p)
          : Optional.empty();
      if (now.isPresent() && !now.equals(before)) {
        // routed, or routed elsewhere: the order's studies go to the (new) reading hospital
        for (SearchService.Match m : search.match("ImagingStudy",
            SearchCriteria.where().reference("basedon", "ServiceRequest", e.id()).build(), 50)) {
          if (reader.readCurrentOrNull("ImagingStudy", m.resId()) instanceof ImagingStudy study) {
            studyUid(study).ifPresent(uid -> forward(uid, now.get()));
          }
        }
      }
    }
  }

  /** The study's reading organisation: its order's, else the routing rules' for its sender and modality. */
  private Optional<String> destinationOf(ImagingStudy study, String uid) {
    List<String> orderIds = OrderRef.orderIds(study.getBasedOn());
    if (!orderIds.isEmpty()) {
      return reader.readCurrentOrNull("ServiceRequest", orderIds.get(0)) instanceof ServiceRequest order
          ? OrderWorkflow.readingOrganization(order) : Optional.empty(); // an order not routed yet: later
    }
    String sender = directory.dicomNode(instances.sender(uid)).map(NetworkDirectory.DicomNode::organization)
        .flatMap(OrgRef::parse).map(OrgRef::key).orElse(null);
    String modality = study.getModality().stream().map(c -> c.getCode()).findFirst().orElse(null);
    return orders.route(sender, modality, null).map(key -> new OrgRef(key).reference());
  }

  private void forward(String studyUid, String readingOrganization) {
    Optional<NetworkDirectory.DicomNode> pacs = directory.pacsOf(readingOrganization);
    if (pacs.isEmpty()) {
      log.info("Study {}: reading organisation {} has no DICOM node to forward to", studyUid, readingOrganization);
      return;
    }
    String ae = pacs.get().aeTitle();
    for (ForwardRecord.Pending p : record.claim(studyUid, ae)) {
      long id = outbox.enqueue(CStoreForwarding.KIND, ae, "study:" + studyUid,
          CStoreForwarding.payload(Path.of(p.filePath())), "application/dicom");
      record.queued(p.sopInstanceUid(), ae, id);
    }
  }

  private static Optional<String> studyUid(ImagingStudy study) {
    return study.getIdentifier().stream().filter(i -> "urn:dicom:uid".equals(i.getSystem()) && i.hasValue())
        .map(i -> i.getValue().startsWith("urn:oid:") ? i.getValue().substring(8) : i.getValue()).findFirst();
  }
}
