package org.radbridge.server.dicom;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.radbridge.server.audit.AuditLog;
import org.radbridge.server.audit.AuditRecord;
import org.radbridge.server.audit.AuditTypes;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.springframework.stereotype.Component;

/**
 * The DICOM channel's audit records (README "Audit"): an association accepted or refused (110114),
 * the instances a node stored in an association, per study (110104), each C-FIND (110112), each
 * forwarding attempt (110104). A study is named by its ImagingStudy, when one exists, so the
 * trail finds it by patient.
 */
@Component
public class DicomAudit {
  private static final String KIND = "dicom_node";
  private final AuditLog audit;
  private final SearchService search;

  public DicomAudit(AuditLog audit, SearchService search) {
    this.audit = audit;
    this.search = search;
  }

  /** An association request answered: accepted (0), or refused (4: unknown AE title or not its address). */
  public void association(String callingAe, String organization, InetAddress peer, boolean accepted, String why) {
    audit.record(new AuditRecord(Instant.now(), AuditTypes.USER_AUTHENTICATION, "association", 'E', accepted ? 0 : 4,
        accepted ? null : why, agent(callingAe, organization, peer), null, List.of(), 0, null, null), false);
  }

  /** What a node stored in one association, for one study: instances stored and refused. */
  public void stored(String callingAe, String organization, InetAddress peer, String studyUid, int stored, int refused) {
    List<String> study = imagingStudy(studyUid);
    audit.record(new AuditRecord(Instant.now(), AuditTypes.INSTANCES_TRANSFERRED, "C-STORE", 'C',
        refused == 0 ? 0 : stored == 0 ? 8 : 4, refused == 0 ? null : refused + " instance(s) refused",
        agent(callingAe, organization, peer), null, study, study.size(),
        "study " + studyUid + ": " + stored + " instance(s) stored", null), true);
  }

  /** A C-FIND answered: the information model, its matches, or why it was refused. */
  public void found(String callingAe, String organization, InetAddress peer, String model, int matches, String refusal) {
    audit.record(new AuditRecord(Instant.now(), AuditTypes.QUERY, "C-FIND " + model, 'E', refusal == null ? 0 : 4,
        refusal, agent(callingAe, organization, peer), null, List.of(), 0,
        refusal == null ? matches + " match(es)" : null, null), false);
  }

  /** One instance forwarded to a node (or not): the study it belongs to, when the row says. */
  public void forwarded(String aeTitle, String host, int port, String orderingKey, String sopInstance, String failure) {
    String studyUid = orderingKey != null && orderingKey.startsWith("study:") ? orderingKey.substring(6) : null;
    List<String> study = studyUid == null ? List.of() : imagingStudy(studyUid);
    audit.record(new AuditRecord(Instant.now(), AuditTypes.INSTANCES_TRANSFERRED, "forward C-STORE", 'R',
        failure == null ? 0 : 8, failure, new AuditRecord.Agent(KIND, aeTitle, null, host + ":" + port, null), null,
        study, study.size(), (studyUid == null ? "" : "study " + studyUid + ", ") + "instance " + sopInstance, null), true);
  }

  private static AuditRecord.Agent agent(String ae, String organization, InetAddress peer) {
    return new AuditRecord.Agent(KIND, ae == null || ae.isBlank() ? "unknown" : ae, organization,
        peer == null ? null : peer.getHostAddress(), null);
  }

  private List<String> imagingStudy(String studyUid) {
    List<String> refs = new ArrayList<>();
    for (SearchService.Match m : search.match("ImagingStudy",
        SearchCriteria.where().token("identifier", "urn:dicom:uid", "urn:oid:" + studyUid).build(), 2)) {
      refs.add("ImagingStudy/" + m.resId());
    }
    return refs;
  }
}
