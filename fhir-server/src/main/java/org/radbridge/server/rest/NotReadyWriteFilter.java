package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.readiness.ReadinessGate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Until RadBridge is ready ({@link ReadinessGate}), FHIR writes (POST, PUT, PATCH, DELETE; not a
 * POST to {@code _search}) are refused at once with 503, {@code Retry-After} and a {@code transient}
 * OperationOutcome: refused rather than held, so no request thread waits on start-up, and never
 * stored without the validation the network's profiles ask for. Reads go through.
 */
public class NotReadyWriteFilter extends OncePerRequestFilter {
  static final int RETRY_AFTER_SECONDS = 5;

  private final FhirContext ctx;
  private final ReadinessGate readiness;

  public NotReadyWriteFilter(FhirContext ctx, ReadinessGate readiness) {
    this.ctx = ctx;
    this.readiness = readiness;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (readiness.isReady() || !isWrite(request)) {
      chain.doFilter(request, response);
      return;
    }
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.TRANSIENT)
        .setDiagnostics("RadBridge is starting (waiting for " + readiness.waitingFor() + "); nothing was written;"
            + " retry after " + RETRY_AFTER_SECONDS + " s");
    byte[] body = ctx.newJsonParser().encodeResourceToString(oo).getBytes(StandardCharsets.UTF_8);
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
    response.setContentType("application/fhir+json;charset=utf-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static boolean isWrite(HttpServletRequest request) {
    return switch (request.getMethod()) {
      case "PUT", "PATCH", "DELETE" -> true;
      case "POST" -> !request.getRequestURI().endsWith("/_search");
      default -> false;
    };
  }
}
