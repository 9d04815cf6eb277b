package org.radbridge.server.rest;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * {@code _summary=text} as R4 defines it: the resource with only text, id, meta and its mandatory
 * top-level elements. HAPI would answer with the bare narrative as HTML, so the parameter is taken
 * off the request before HAPI sees it and the summary is made here.
 */
public class TextSummaryInterceptor {
  private static final String FLAG = "radbridge.summaryText";
  private static final Set<String> KEPT = Set.of("id", "meta", "text");

  private final FhirContext ctx;

  public TextSummaryInterceptor(FhirContext ctx) {
    this.ctx = ctx;
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
  public boolean takeParameter(RequestDetails request) {
    String[] summary = request.getParameters().get("_summary");
    if (summary != null && Arrays.asList(summary).contains("text")) {
      Map<String, String[]> params = new HashMap<>(request.getParameters());
      params.remove("_summary");
      request.setParameters(params);
      request.getUserData().put(FLAG, Boolean.TRUE);
    }
    return true;
  }

  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean summarise(RequestDetails request, IBaseResource resource) {
    if (request.getUserData().get(FLAG) == null || resource == null) {
      return true;
    }
    if (resource instanceof Bundle bundle && request.getId() == null) {
      // a search or history bundle: summarise each entry
      for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
        if (e.hasResource()) {
          reduce(e.getResource());
        }
      }
    } else {
      reduce(resource);
    }
    return true;
  }

  /** Keeps id, meta, text and mandatory children; HAPI serialises the instance it handed us. */
  private void reduce(IBaseResource resource) {
    RuntimeResourceDefinition def = ctx.getResourceDefinition(resource);
    for (BaseRuntimeChildDefinition child : def.getChildren()) {
      if (!KEPT.contains(child.getElementName()) && child.getMin() == 0) {
        clear(resource, child);
      }
    }
    ((Resource) resource).getMeta().addTag(SUBSETTED_SYSTEM, "SUBSETTED", "Resource encoded in summary mode");
  }

  private static final String SUBSETTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

  private static void clear(IBaseResource resource, BaseRuntimeChildDefinition child) {
    try {
      child.getMutator().setValue(resource, null);
    } catch (UnsupportedOperationException e) {
      // a child that cannot be cleared is left as it is
    }
  }
}
