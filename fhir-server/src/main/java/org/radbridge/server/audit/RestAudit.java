package org.radbridge.server.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.security.RestCallers;
import org.radbridge.server.write.Caller;

/**
 * One audit record per FHIR request that reads or fails (BALP): the interaction, the caller, and
 * what it was shown — each resource of a read, a search page with its includes, history,
 * operations — or why it was refused. A successful write is recorded in its own transaction by
 * {@link WriteAudit}; a transaction or batch is recorded as such besides its entries' writes.
 */
public class RestAudit {
  /** Request attribute: the request has its record (RestAuditFilter records the others). */
  public static final String RECORDED = "radbridge.audit.recorded";
  private static final Set<RestOperationTypeEnum> WRITES = Set.of(RestOperationTypeEnum.CREATE,
      RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE);

  private final AuditLog audit;
  private final RestCallers callers;

  public RestAudit(AuditLog audit, RestCallers callers) {
    this.audit = audit;
    this.callers = callers;
  }

  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean outgoing(RequestDetails request, ResponseDetails response) {
    RestOperationTypeEnum op = request.getRestOperationType();
    if (op == null || op == RestOperationTypeEnum.METADATA || WRITES.contains(op)) {
      mark(request);
      return true;
    }
    List<String> shown = new ArrayList<>();
    IBaseResource body = response.getResponseResource();
    if (body instanceof Bundle bundle) {
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        if (entry.getResource() != null && !(entry.getResource() instanceof OperationOutcome)) {
          add(shown, entry.getResource());
        } else if (entry.getResponse().hasLocation()) {
          shown.add(Ids.relative(entry.getResponse().getLocation()));
        }
      }
    } else if (body instanceof Resource r && !(r instanceof OperationOutcome)) {
      add(shown, r);
    }
    record(request, op, 0, null, shown);
    return true;
  }

  @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
  public boolean failed(RequestDetails request, BaseServerResponseException e) {
    RestOperationTypeEnum op = request.getRestOperationType();
    List<String> target = new ArrayList<>();
    if (request.getId() != null && request.getId().hasIdPart() && request.getResourceName() != null) {
      target.add(request.getResourceName() + "/" + request.getId().getIdPart());
    }
    record(request, op, e.getStatusCode() >= 500 ? 8 : 4, e.getStatusCode() + " " + firstLine(e.getMessage()), target);
    return true;
  }

  private void record(RequestDetails request, RestOperationTypeEnum op, int outcome, String why, List<String> shown) {
    Caller caller = callers.currentOrNull();
    String address = request instanceof ServletRequestDetails s ? s.getServletRequest().getRemoteAddr() : null;
    AuditRecord.Agent agent = caller != null ? AuditAgents.of(caller.from(address))
        : AuditAgents.unknown("client", null, address);
    String subtype = op == null ? "unknown" : op.getCode().toLowerCase(Locale.ROOT);
    if (op == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE || op == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
        || op == RestOperationTypeEnum.EXTENDED_OPERATION_SERVER) {
      subtype = "operation";
    }
    String detail = request.getOperation() != null ? request.getOperation() : null;
    String query = request instanceof ServletRequestDetails s ? s.getServletRequest().getQueryString() : null;
    if (query != null) {
      detail = (detail == null ? "" : detail + " ") + "?" + query;
    }
    Set<String> patients = new LinkedHashSet<>();
    audit.record(new AuditRecord(Instant.now(), AuditTypes.REST, subtype, action(op), outcome, why, agent, patients,
        shown, shown.size(), detail, org.slf4j.MDC.get(WriteAudit.REQUEST_ID)), true);
    mark(request);
  }

  private static void mark(RequestDetails request) {
    if (request instanceof ServletRequestDetails s) {
      s.getServletRequest().setAttribute(RECORDED, Boolean.TRUE);
    }
  }

  private static void add(List<String> shown, IBaseResource r) {
    if (r instanceof Resource res && res.getIdElement().hasIdPart()) {
      shown.add(res.fhirType() + "/" + res.getIdElement().getIdPart());
    }
  }

  /** BALP's action of an interaction: read R, search and operations E, writes C/U/D. */
  static char action(RestOperationTypeEnum op) {
    if (op == null) {
      return 'E';
    }
    return switch (op) {
      case READ, VREAD, HISTORY_INSTANCE -> 'R';
      case CREATE -> 'C';
      case UPDATE, PATCH -> 'U';
      case DELETE -> 'D';
      default -> 'E';
    };
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
