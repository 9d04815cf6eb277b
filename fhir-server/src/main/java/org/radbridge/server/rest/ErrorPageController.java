package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.ServletRequestTracing;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Spring Boot's error page (what answers outside HAPI: an unknown path, a failure in a filter) as
 * an OperationOutcome. A 5xx says only that an error occurred and gives the request id; the
 * exception goes to the log under that id, never into the answer.
 */
@Controller
public class ErrorPageController implements ErrorController {
  private static final Logger log = LoggerFactory.getLogger(ErrorPageController.class);
  private final FhirContext ctx;

  public ErrorPageController(FhirContext ctx) {
    this.ctx = ctx;
  }

  @RequestMapping("/error")
  public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : 500;
    String path = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI));
    if (status >= 500) {
      String id = ServletRequestTracing.getOrGenerateRequestId(request);
      log.error("Request {} failed ({})", id, path, (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
      ErrorResponses.send(ctx, response, 500, IssueType.EXCEPTION, "An error occurred; request id " + id);
      return;
    }
    String text = switch (status) {
      case 404 -> "Nothing is served at " + abbreviated(path) + "; the FHIR API is at /fhir";
      case 405 -> "The method " + request.getMethod() + " is not supported at " + abbreviated(path);
      default -> "The request was refused (HTTP " + status + ")";
    };
    ErrorResponses.send(ctx, response, status, status == 404 ? IssueType.NOTFOUND : IssueType.INVALID, text);
  }

  private static String abbreviated(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }
}
