package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers a method the server does not serve — TRACE (which would echo the request's headers,
 * cookies and tokens included), WebDAV's, invented ones — with 405, an Allow header and an
 * OperationOutcome, instead of the servlet container's 501 page.
 */
public class MethodFilter extends OncePerRequestFilter {
  static final Set<String> SERVED = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  private static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  private final FhirContext ctx;

  public MethodFilter(FhirContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String method = request.getMethod();
    if (SERVED.contains(method)) {
      chain.doFilter(request, response);
      return;
    }
    response.setHeader("Allow", ALLOW);
    ErrorResponses.send(ctx, response, 405, OperationOutcome.IssueType.NOTSUPPORTED,
        "The method " + printable(method) + " is not supported; the FHIR API uses " + ALLOW);
  }

  private static String printable(String method) {
    String m = method.length() > 20 ? method.substring(0, 20) + "…" : method;
    return m.replaceAll("[^\\x21-\\x7e…]", "?");
  }
}
