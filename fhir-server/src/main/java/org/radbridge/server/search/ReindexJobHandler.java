package org.radbridge.server.search;

import ca.uhn.fhir.context.FhirContext;
import java.util.Arrays;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.radbridge.server.job.Job;
import org.radbridge.server.job.JobHandler;
import org.radbridge.server.job.JobStep;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.springframework.stereotype.Component;

/**
 * Re-extracts the index rows of every resource of the job's types, a batch per step, walking by
 * res_pk. Each batch is locked so a concurrent update cannot be overwritten with older rows.
 */
@Component
public class ReindexJobHandler implements JobHandler {
  static final int BATCH = 200;

  private final FhirContext ctx;
  private final ResourceRows rows;
  private final ResourceIndexer indexer;

  public ReindexJobHandler(FhirContext ctx, ResourceRows rows, ResourceIndexer indexer) {
    this.ctx = ctx;
    this.rows = rows;
    this.indexer = indexer;
  }

  @Override
  public String kind() {
    return CustomSearchParameters.REINDEX;
  }

  @Override
  public JobStep step(Job job) {
    List<String> types = Arrays.asList(job.payload().split(","));
    List<StoredVersion> batch = rows.lockBatchAfter(types, job.cursorPk(), BATCH);
    long cursor = job.cursorPk();
    for (StoredVersion v : batch) {
      IBaseResource resource = ctx.newJsonParser().parseResource(v.content());
      rows.replaceIndex(v.resPk(), v.resType(), indexer.index(resource));
      cursor = v.resPk();
    }
    return new JobStep(cursor, batch.size(), batch.size() < BATCH);
  }
}
