package org.radbridge.server.audit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.radbridge.server.security.RestCallers;
import org.radbridge.server.write.Caller;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The HTTP requests HAPI's interceptor ({@link RestAudit}) never sees, recorded once they are
 * answered: refusals of the security filters (401, 403), reads the stored-JSON fast path answered,
 * and the non-FHIR endpoints that show or change patient data or access ({@code /admin/**},
 * {@code /break-glass}). Runs outside the security filters, so it sees their refusals.
 */
public class RestAuditFilter extends OncePerRequestFilter {
  /** Request attribute the stored-JSON read sets to the {@code Type/id} it answered. */
  public static final String SERVED_FROM_STORE = "radbridge.audit.served";
  /** Request attribute a handler sets to say more in the record than the query (a break-glass reason). */
  public static final String DETAIL = "radbridge.audit.detail";
  static final String AUTHENTICATED_CALLER = "radbridge.audit.caller";

  private final AuditLog audit;
  private final RestCallers callers;

  public RestAuditFilter(AuditLog audit, RestCallers callers) {
    this.audit = audit;
    this.callers = callers;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } finally {
      if (request.getAttribute(RestAudit.RECORDED) == null) {
        recordUnseen(request, response, (Caller) request.getAttribute(AUTHENTICATED_CALLER));
      }
    }
  }

  private void recordUnseen(HttpServletRequest request, HttpServletResponse response, Caller inside) {
    int status = response.getStatus();
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Object served = request.getAttribute(SERVED_FROM_STORE);
    Caller caller = inside != null ? inside
        : callers.callerOf(request.getAttribute(RestCallers.REFUSED_AUTHENTICATION));
    AuditRecord.Agent agent = caller != null ? AuditAgents.of(caller.from(request.getRemoteAddr()))
        : AuditAgents.unknown("client", null, request.getRemoteAddr());
    String requestId = org.slf4j.MDC.get(WriteAudit.REQUEST_ID);
    if (served instanceof String ref && status == 200) {
      audit.record(new AuditRecord(Instant.now(), AuditTypes.REST, "read", 'R', 0, null, agent, null, List.of(ref), 1,
          null, requestId), true);
    } else if (status == 401 || status == 403) {
      audit.record(new AuditRecord(Instant.now(), path.startsWith("/fhir") ? AuditTypes.REST : AuditTypes.SECURITY_ALERT,
          request.getMethod() + " " + AuditRows.cut(path, 50), 'E', 4, status + " refused", agent, null, List.of(), 0,
          request.getQueryString(), requestId), false);
    } else if (path.startsWith("/admin/") || path.equals("/break-glass")) {
      audit.record(new AuditRecord(Instant.now(), AuditTypes.SECURITY_ALERT, request.getMethod() + " "
          + AuditRows.cut(path, 50), "GET".equals(request.getMethod()) ? 'R' : 'E', status < 400 ? 0 : status < 500 ? 4 : 8,
          status >= 400 ? String.valueOf(status) : null, agent, null, List.of(), 0,
          request.getAttribute(DETAIL) instanceof String d ? d : request.getQueryString(), requestId), false);
    }
  }

  /**
   * Runs inside the security filters (after them): notes the request's authenticated caller in a
   * request attribute, since the security context is cleared before {@link RestAuditFilter} records.
   */
  public static final class CallerNote extends OncePerRequestFilter {
    private final RestCallers callers;

    public CallerNote(RestCallers callers) {
      this.callers = callers;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      request.setAttribute(AUTHENTICATED_CALLER, callers.currentOrNull());
      chain.doFilter(request, response);
    }
  }
}
