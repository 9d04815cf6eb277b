package org.radbridge.server.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Removes instance files {@code radbridge.dicom.retention} after both the study was forwarded
 * (every instance delivered to each PACS it was queued for, by the {@code dicom_forward} record,
 * which outlives the purged outbox rows) and its report is final (a final, amended, corrected or
 * appended DiagnosticReport based on the study's order). Rows stay, marked file_removed_at.
 * Studies never forwarded (no reading hospital) are kept.
 */
@Component
public class DicomRetention implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #run} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::run,
        settings.getDicom().getRetentionCheckInterval(), java.time.Duration.ofMinutes(1)));
  }

  private static final Logger log = LoggerFactory.getLogger(DicomRetention.class);

  private final InstanceRows rows;
  private final ForwardRecord forwarded;
  private final SearchService search;
  private final ResourceReader reader;
  private final RadBridgeProperties props;

  public DicomRetention(InstanceRows rows, ForwardRecord forwarded, SearchService search, ResourceReader reader,
      RadBridgeProperties props, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.rows = rows;
    this.forwarded = forwarded;
    this.search = search;
    this.reader = reader;
    this.props = props;
  }

  public void run() {
    removeExpired();
  }

  /** One pass; returns the number of files removed. */
  public int removeExpired() {
    return removeExpired(Instant.now());
  }

  /** One pass as of {@code now} (tests look ahead past the retention time). */
  public int removeExpired(Instant now) {
    int removed = 0;
    for (Map.Entry<String, Instant> study : forwarded.forwardedStudiesWithFiles()) {
      Optional<Instant> finalAt = reportFinalAt(study.getKey());
      if (finalAt.isEmpty()) {
        continue;
      }
      Instant since = finalAt.get().isAfter(study.getValue()) ? finalAt.get() : study.getValue();
      if (now.isBefore(since.plus(props.getDicom().getRetention()))) {
        continue;
      }
      for (String file : rows.filesOf(study.getKey())) {
        try {
          Files.deleteIfExists(Path.of(file));
          rows.markFileRemoved(file);
          removed++;
        } catch (IOException e) {
          log.warn("Retention could not remove {}: {}", file, e.getMessage());
        }
      }
    }
    if (removed > 0) {
      log.info("Retention removed {} instance files", removed);
    }
    return removed;
  }

  private Optional<Instant> reportFinalAt(String studyInstanceUid) {
    Optional<ImagingStudy> study = search.match("ImagingStudy",
            SearchCriteria.where().token("identifier", "urn:dicom:uid", "urn:oid:" + studyInstanceUid).build(), 1).stream().findFirst()
        .map(m -> (ImagingStudy) reader.read("ImagingStudy", m.resId()));
    if (study.isEmpty()) {
      return Optional.empty();
    }
    Instant latest = null;
    for (String orderId : org.radbridge.server.workflow.OrderRef.orderIds(study.get().getBasedOn())) {
      List<SearchService.Match> reports = search.match("DiagnosticReport", SearchCriteria.where()
          .reference("based-on", "ServiceRequest", orderId)
          .anyToken("status", java.util.stream.Stream.of("final", "amended", "corrected", "appended")
              .map(c -> new SearchCriteria.Token(null, c)).toList())
          .build(), 10);
      for (SearchService.Match m : reports) {
        Instant at = ((Resource) reader.read("DiagnosticReport", m.resId())).getMeta().getLastUpdated().toInstant();
        latest = latest == null || at.isAfter(latest) ? at : latest;
      }
    }
    return Optional.ofNullable(latest);
  }
}
