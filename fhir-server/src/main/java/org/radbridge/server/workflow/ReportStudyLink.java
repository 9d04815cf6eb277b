package org.radbridge.server.workflow;

import java.util.Set;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Reference;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.server.write.WriteRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A report may come before its study (a preliminary read of images seen elsewhere, or a study that
 * never reaches RadBridge): when a study of the order is stored, the order's reports that do not
 * name it yet gain the reference, in the same transaction.
 */
@Component
class ReportStudyLink implements WriteHook {
  private static final int MAX_REPORTS = 50;
  private final SearchService search;
  private final ResourceReader reader;
  private final ObjectProvider<ResourceWriter> writer;

  ReportStudyLink(SearchService search, ResourceReader reader, ObjectProvider<ResourceWriter> writer) {
    this.search = search;
    this.reader = reader;
    this.writer = writer;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("ImagingStudy");
  }

  @Override
  public void on(WriteEvent e) {
    if (!(e.resource() instanceof ImagingStudy study)) {
      return;
    }
    String studyRef = "ImagingStudy/" + e.id();
    for (String orderId : OrderRef.orderIds(study.getBasedOn())) {
      for (SearchService.Match m : search.match("DiagnosticReport",
          SearchCriteria.where().reference("based-on", "ServiceRequest", orderId).build(), MAX_REPORTS)) {
        if (reader.readCurrentOrNull("DiagnosticReport", m.resId()) instanceof DiagnosticReport dr
            && dr.getImagingStudy().stream().noneMatch(r -> studyRef.equals(r.getReferenceElement().toUnqualifiedVersionless().getValue()))) {
          dr.addImagingStudy(new Reference(studyRef));
          writer.getObject().write(WriteRequest.update("DiagnosticReport", m.resId(), dr, null, e.caller()));
        }
      }
    }
  }
}
