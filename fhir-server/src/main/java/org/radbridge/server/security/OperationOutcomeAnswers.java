package org.radbridge.server.security;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * 401 and 403 as a FHIR client expects them: the status and {@code WWW-Authenticate} header of RFC
 * 6750 (Spring Security's bearer token handlers set both), and an OperationOutcome saying what is
 * missing — never why a token's signature failed in detail, nor anything of the server.
 */
final class OperationOutcomeAnswers implements AuthenticationEntryPoint, AccessDeniedHandler {
  private final FhirContext ctx;
  private final BearerTokenAuthenticationEntryPoint entryPoint = new BearerTokenAuthenticationEntryPoint();
  private final BearerTokenAccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();

  OperationOutcomeAnswers(FhirContext ctx) {
    entryPoint.setRealmName("RadBridge");
    denied.setRealmName("RadBridge");
    this.ctx = ctx;
  }

  @Override
  public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    entryPoint.commence(request, response, e);
    boolean presented = request.getHeader("Authorization") != null;
    write(response, OperationOutcome.IssueType.LOGIN, presented
        ? "The bearer token is not valid (expired, not signed by a trusted issuer, or malformed): get a new one"
        : "This request needs a bearer token (Authorization: Bearer …); see /fhir/.well-known/smart-configuration");
  }

  @Override
  public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    denied.handle(request, response, e);
    // the audit trail records the refusal after the security filters have cleared the context
    request.setAttribute(RestCallers.REFUSED_AUTHENTICATION,
        org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication());
    write(response, OperationOutcome.IssueType.FORBIDDEN, "The token's scopes do not allow this request: "
        + request.getRequestURI() + " needs the scope " + SmartScopes.ADMIN);
  }

  static void badRequest(FhirContext ctx, HttpServletResponse response, String diagnostics) throws IOException {
    response.setStatus(400);
    new OperationOutcomeAnswers(ctx).write(response, OperationOutcome.IssueType.INVALID, diagnostics);
  }

  private void write(HttpServletResponse response, OperationOutcome.IssueType code, String diagnostics)
      throws IOException {
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
    byte[] body = ctx.newJsonParser().encodeResourceToString(oo).getBytes(StandardCharsets.UTF_8);
    response.setContentType("application/fhir+json;charset=UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
