package org.radbridge.server.workflow;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.job.Job;
import org.radbridge.server.job.JobHandler;
import org.radbridge.server.job.JobQueue;
import org.radbridge.server.job.JobStep;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.terminology.NetworkConformance;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.server.write.WriteRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A ConceptMap stored (through REST, or from a CSV file at start) queues a job, in the same
 * transaction, that gives the orders waiting with {@code work-item#unmapped-code} their LOINC
 * coding: each one the maps now cover is written again with it (a new version, so subscriptions
 * and the reading hospital hear of it); the others keep their tag. No sender has to resend.
 */
@Component
class UnmappedCodeRetry implements WriteHook, JobHandler {
  static final String KIND = "unmapped-codes";
  private static final int BATCH = 200;
  private static final int SCAN = 10_000;
  private static final Caller CALLER = Caller.system("unmapped-codes");

  private final JobQueue jobs;
  private final SearchService search;
  private final ResourceReader reader;
  private final ObjectProvider<ResourceWriter> writer;
  private final NetworkConformance conformance;
  private final ProcedureCodes codes;

  UnmappedCodeRetry(ProcedureCodes codes, JobQueue jobs, SearchService search, ResourceReader reader, ObjectProvider<ResourceWriter> writer,
      NetworkConformance conformance) {
    this.jobs = jobs;
    this.search = search;
    this.reader = reader;
    this.writer = writer;
    this.conformance = conformance;
    this.codes = codes;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public Set<String> types() {
    return Set.of("ConceptMap");
  }

  @Override
  public void on(WriteEvent e) {
    if (e.resource() != null) {
      jobs.enqueue(KIND, "ConceptMap/" + e.id(), "", null);
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Up to {@value #BATCH} waiting orders, by storage order after the cursor. */
  @Override
  public JobStep step(Job job) {
    conformance.refreshIfChanged(); // the job may run on a node that did not store the map
    List<SearchService.Match> waiting = search.match("ServiceRequest", SearchCriteria.where()
            .token("_tag", ProcedureCodes.UNMAPPED.getSystem(), ProcedureCodes.UNMAPPED.getCode()).build(), SCAN)
        .stream().filter(m -> m.resPk() > job.cursorPk()).sorted(Comparator.comparingLong(SearchService.Match::resPk))
        .limit(BATCH).toList();
    long cursor = job.cursorPk();
    for (SearchService.Match m : waiting) {
      if (reader.readCurrentOrNull("ServiceRequest", m.resId()) instanceof ServiceRequest sr) {
        ServiceRequest again = sr.copy();
        codes.complete(again);
        if (!ProcedureCodes.isUnmapped(again)) { // the map covers it now: a new version, with its LOINC coding
          writer.getObject().write(WriteRequest.update("ServiceRequest", m.resId(), again, null, CALLER));
        }
      }
      cursor = m.resPk();
    }
    return new JobStep(cursor, waiting.size(), waiting.size() < BATCH);
  }
}
