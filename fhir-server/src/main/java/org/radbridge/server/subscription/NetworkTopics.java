package org.radbridge.server.subscription;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * The network's subscription topics (Subscriptions R5 Backport, R4): canonical URLs a
 * {@code Subscription.criteria} names, each a resource type and the change that triggers it,
 * judged from the version before and the version stored.
 */
public final class NetworkTopics {
  public static final String BASE = "https://radbridge.org/fhir/SubscriptionTopic/";

  /** A topic: its canonical, the resource type it is about, and its trigger. */
  public record Topic(String url, String resourceType, String description, Trigger trigger) {}

  interface Trigger {
    boolean fires(IBaseResource previous, IBaseResource current);
  }

  private static final EnumSet<DiagnosticReport.DiagnosticReportStatus> RELEASED = EnumSet.of(
      DiagnosticReport.DiagnosticReportStatus.FINAL, DiagnosticReport.DiagnosticReportStatus.AMENDED,
      DiagnosticReport.DiagnosticReportStatus.CORRECTED, DiagnosticReport.DiagnosticReportStatus.APPENDED);

  public static final List<Topic> ALL = List.of(
      new Topic(BASE + "order-created", "ServiceRequest",
          "An order is placed: a ServiceRequest is created active or on hold, or leaves draft",
          (before, now) -> now instanceof ServiceRequest sr
              && (sr.getStatus() == ServiceRequest.ServiceRequestStatus.ACTIVE
                  || sr.getStatus() == ServiceRequest.ServiceRequestStatus.ONHOLD)
              && (before == null || ((ServiceRequest) before).getStatus() == ServiceRequest.ServiceRequestStatus.DRAFT)),
      new Topic(BASE + "study-available", "ImagingStudy",
          "A study becomes available: an ImagingStudy is created or changed to status available",
          (before, now) -> now instanceof ImagingStudy s && s.getStatus() == ImagingStudy.ImagingStudyStatus.AVAILABLE
              && (before == null || ((ImagingStudy) before).getStatus() != ImagingStudy.ImagingStudyStatus.AVAILABLE)),
      new Topic(BASE + "report-final", "DiagnosticReport",
          "A report is released: a DiagnosticReport becomes final, or a released report is corrected, amended or appended",
          (before, now) -> now instanceof DiagnosticReport dr && RELEASED.contains(dr.getStatus())
              && (before == null || ((DiagnosticReport) before).getStatus() != dr.getStatus())));

  private NetworkTopics() {}

  public static Optional<Topic> byUrl(String url) {
    return ALL.stream().filter(t -> t.url().equals(url)).findFirst();
  }
}
