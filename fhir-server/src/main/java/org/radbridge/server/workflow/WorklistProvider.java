package org.radbridge.server.workflow;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code GET /fhir/ImagingStudy/$worklist?organization=Organization/[id]}: the reading hospital's
 * worklist — studies of orders routed to it with no final report (and not cancelled), ordered by
 * priority (stat, asap, urgent, routine) then by how long they have waited. Each study comes with
 * its order, patient and Task (whose {@code restriction.period.end} is the due time by the SLA).
 * Paged with {@code _count} (default 20, at most 200) and {@code _offset}.
 */
public class WorklistProvider {
  private static final int MAX = 200;
  private final JdbcTemplate jdbc;
  private final SearchService search;
  private final ResourceReader reader;

  /** The request's reader: a reading hospital reads its own worklist, resources as it may see them. */
  private final java.util.function.Supplier<org.radbridge.server.store.Visibility> visibility;

  public WorklistProvider(JdbcTemplate jdbc, SearchService search, ResourceReader reader,
      java.util.function.Supplier<org.radbridge.server.store.Visibility> visibility) {
    this.visibility = visibility;
    this.jdbc = jdbc;
    this.search = search;
    this.reader = reader;
  }

  @Operation(name = "$worklist", idempotent = true, typeName = "ImagingStudy")
  public Bundle worklist(@OperationParam(name = "organization", min = 1, max = 1) StringType organization,
      RequestDetails request) {
    if (organization == null || organization.isEmpty()) {
      throw new InvalidRequestException("$worklist needs organization=Organization/[id] (the reading hospital)");
    }
    String org = organization.getValue().startsWith("Organization/") ? organization.getValue()
        : "Organization/" + organization.getValue();
    org.radbridge.server.store.Visibility v = visibility.get();
    String orgKey = org.startsWith("Organization/org-") ? org.substring("Organization/org-".length()) : org;
    if (!v.everything() && !v.organisations().contains(orgKey)) {
      throw new ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException(
          "$worklist: a reading hospital reads its own worklist, not " + org);
    }
    int count = intParam(request, "_count", 20, 1, MAX);
    int offset = intParam(request, "_offset", 0, 0, Integer.MAX_VALUE);
    String where = " FROM order_turnaround WHERE reading_org = ? AND study_at IS NOT NULL AND final_at IS NULL"
        + " AND status = 'active'";
    Long total = jdbc.queryForObject("SELECT count(*)" + where, Long.class, org);
    List<String> orders = jdbc.queryForList("SELECT order_id" + where
        + " ORDER BY CASE priority WHEN 'stat' THEN 0 WHEN 'asap' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END,"
        + " study_at, order_id LIMIT ? OFFSET ?", String.class, org, count, offset);
    Bundle b = new Bundle();
    b.setType(Bundle.BundleType.SEARCHSET);
    b.setTotal(total == null ? 0 : total.intValue());
    String self = request.getFhirServerBase() + "/ImagingStudy/$worklist?organization=" + org + "&_count=" + count;
    b.addLink().setRelation("self").setUrl(self + "&_offset=" + offset);
    if (offset + orders.size() < b.getTotal()) {
      b.addLink().setRelation("next").setUrl(self + "&_offset=" + (offset + count));
    }
    if (offset > 0) {
      b.addLink().setRelation("previous").setUrl(self + "&_offset=" + Math.max(0, offset - count));
    }
    String base = request.getFhirServerBase() + "/";
    for (String orderId : orders) {
      for (SearchService.Match m : search.match("ImagingStudy",
          SearchCriteria.where().reference("basedon", "ServiceRequest", orderId).build(), 10)) {
        add(b, base, reader.read("ImagingStudy", m.resId(), v), Bundle.SearchEntryMode.MATCH);
      }
      ServiceRequest sr = (ServiceRequest) reader.read("ServiceRequest", orderId, v);
      add(b, base, sr, Bundle.SearchEntryMode.INCLUDE);
      String patient = sr.getSubject().getReference();
      if (patient != null && patient.startsWith("Patient/")) {
        include(b, base, "Patient", patient.substring("Patient/".length()));
      }
      include(b, base, "Task", OrderRef.taskId(orderId));
    }
    return b;
  }

  /** An included resource, when it resolves (references are not enforced). */
  private void include(Bundle b, String base, String type, String id) {
    try {
      add(b, base, reader.read(type, id, visibility.get()), Bundle.SearchEntryMode.INCLUDE);
    } catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException missing) {
      // not stored (or deleted): the entry goes without it
    }
  }

  private static void add(Bundle b, String base, IBaseResource r, Bundle.SearchEntryMode mode) {
    Resource res = (Resource) r;
    b.addEntry().setFullUrl(base + res.fhirType() + "/" + res.getIdElement().getIdPart()).setResource(res)
        .getSearch().setMode(mode);
  }

  private static int intParam(RequestDetails request, String name, int dflt, int min, int max) {
    String[] v = request.getParameters().get(name);
    if (v == null || v.length == 0) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v[0]);
      if (n < min) {
        throw new InvalidRequestException(name + " must be at least " + min);
      }
      return Math.min(n, max);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(name + " must be a whole number, not '" + v[0] + "'");
    }
  }
}
