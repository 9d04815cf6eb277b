package org.radbridge.server.rest;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.job.Job;
import org.radbridge.server.search.CustomSearchParameters;

/**
 * {@code GET /fhir/SearchParameter/[id]/$reindex-status}: where the background reindex that makes
 * a stored SearchParameter searchable has got to.
 */
public class ReindexStatusProvider {
  private final CustomSearchParameters searchParameters;

  public ReindexStatusProvider(CustomSearchParameters searchParameters) {
    this.searchParameters = searchParameters;
  }

  @Operation(name = "$reindex-status", idempotent = true, typeName = "SearchParameter")
  public Parameters status(@IdParam IIdType id) {
    String subject = "SearchParameter/" + id.getIdPart();
    Job job = searchParameters.reindexJob(subject).orElseThrow(() ->
        new ResourceNotFoundException("No reindex job for " + subject + " (is it an active SearchParameter?)"));
    Parameters out = new Parameters();
    out.addParameter().setName("job").setValue(new IntegerType((int) job.id()));
    out.addParameter().setName("state").setValue(new StringType(job.state()));
    out.addParameter().setName("processed").setValue(new DecimalType(job.processed()));
    if (job.total() != null) {
      out.addParameter().setName("total").setValue(new DecimalType(job.total()));
      double pct = job.total() == 0 ? 100 : Math.min(100.0, 100.0 * job.processed() / job.total());
      out.addParameter().setName("percent").setValue(new DecimalType(Math.round(pct * 10) / 10.0));
    }
    out.addParameter().setName("searchable").setValue(new org.hl7.fhir.r4.model.BooleanType(job.isDone()));
    out.addParameter().setName("attempts").setValue(new IntegerType(job.attempts()));
    if (job.lastError() != null) {
      out.addParameter().setName("lastError").setValue(new StringType(job.lastError()));
    }
    out.addParameter().setName("updated").setValue(new InstantType(java.util.Date.from(job.updatedAt())));
    return out;
  }
}
