package org.radbridge.server.rest;

import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.radbridge.server.store.ResourceReader;

/**
 * {@code Patient/[id]/$everything}: the patient, every resource in its compartment, and the
 * resources those refer to, as a paged searchset.
 */
public class EverythingProvider {
  private final org.radbridge.server.security.RestCallers callers;
  private final SearchPages search;
  private final ResourceReader reader;

  public EverythingProvider(SearchPages search, ResourceReader reader, org.radbridge.server.security.RestCallers callers) {
    this.callers = callers;
    this.search = search;
    this.reader = reader;
  }

  @Operation(name = "$everything", idempotent = true, typeName = "Patient", bundleType = BundleTypeEnum.SEARCHSET)
  public IBundleProvider everything(@IdParam IIdType id, @OperationParam(name = "_count") IntegerType count,
      RequestDetails request) {
    Ids.requireValid(id.getIdPart());
    // 404 / 410 for a patient that is not there, or that the reader may not see
    reader.read("Patient", id.getIdPart(), callers.visibility());
    Map<String, String[]> params = new LinkedHashMap<>();
    params.put("_everything", new String[] {"Patient/" + id.getIdPart()});
    params.put("_include", new String[] {"*"});
    if (count != null && count.getValue() != null) {
      params.put("_count", new String[] {count.getValueAsString()});
    }
    return search.firstPage(null, params, request);
  }
}
