package org.radbridge.server.security;

import ca.uhn.fhir.context.FhirContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.job.Job;
import org.radbridge.server.job.JobHandler;
import org.radbridge.server.job.JobStep;
import org.radbridge.server.store.Readers;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.springframework.stereotype.Component;

/**
 * Gives rows stored before organisation scoping (changeset 017 left them with no readers: only
 * administrators and the exchange saw them) the readers their content names — identifier systems,
 * an order's requester, accession system and performers, the orders a study or report belongs to —
 * a batch per step, walking by res_pk. Each order found passes its readers on to its patient and
 * what belongs to it, so the order of the rows does not matter. Queued by changeset 021 when such
 * rows exist. The writer's organisation is not known for old rows; a row that names none stays
 * the administrators' (README "Organisation scoping").
 */
@Component
class ReadersBackfill implements JobHandler {
  static final String KIND = "readers-backfill";
  static final int BATCH = 200;

  private final FhirContext ctx;
  private final ResourceRows rows;
  private final ReaderAssignment assignment;

  ReadersBackfill(FhirContext ctx, ResourceRows rows, ReaderAssignment assignment) {
    this.ctx = ctx;
    this.rows = rows;
    this.assignment = assignment;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public JobStep step(Job job) {
    List<StoredVersion> batch = rows.lockWithoutReadersAfter(job.cursorPk(), BATCH);
    long cursor = job.cursorPk();
    for (StoredVersion v : batch) {
      cursor = v.resPk();
      IBaseResource r = ctx.newJsonParser().parseResource(v.content());
      Set<String> own = assignment.ownReaders(v.resType(), r);
      if (own.isEmpty()) {
        continue;
      }
      Set<String> all = new LinkedHashSet<>(own);
      all.addAll(assignment.inheritedReaders(v.resType(), v.resId(), r));
      rows.setReaders(v.resPk(), new Readers(own, all));
      if (r instanceof ServiceRequest sr) {
        String subject = sr.getSubject().getReference();
        rows.recomputeInheritedReaders(v.resId(),
            subject != null && subject.startsWith("Patient/") ? subject.substring("Patient/".length()) : null);
      }
    }
    return new JobStep(cursor, batch.size(), batch.size() < BATCH);
  }
}
