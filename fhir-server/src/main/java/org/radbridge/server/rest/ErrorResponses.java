package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * An error OperationOutcome as the whole response, for what answers before or outside HAPI's
 * RestfulServer (filters in front of it, Tomcat's own refusals).
 */
public final class ErrorResponses {
  public static final String CONTENT_TYPE = "application/fhir+json;charset=utf-8";

  private ErrorResponses() {}

  /** The OperationOutcome's JSON: one issue of severity error. */
  public static String json(FhirContext ctx, OperationOutcome.IssueType code, String diagnostics) {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
    return ctx.newJsonParser().encodeResourceToString(oo);
  }

  /** Writes and flushes a complete, sized response, so a client can read it before sending more. */
  public static void send(FhirContext ctx, HttpServletResponse response, int status, OperationOutcome.IssueType code,
      String diagnostics) throws IOException {
    byte[] body = json(ctx, code, diagnostics).getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(CONTENT_TYPE);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }
}
