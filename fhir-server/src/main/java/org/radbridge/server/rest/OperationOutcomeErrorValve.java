package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Tomcat's own refusals — a request line it cannot parse, an undecodable path — answered with an
 * OperationOutcome instead of Tomcat's HTML page. Responses that already have a body (everything
 * HAPI or Spring answered) pass untouched.
 */
public class OperationOutcomeErrorValve extends ErrorReportValve {
  private final FhirContext ctx;

  public OperationOutcomeErrorValve(FhirContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    String json;
    if (status == 501 || status == 505) {
      // an HTTP version or transfer coding Tomcat does not speak: the request's fault, told as a 400
      response.setStatus(400);
      json = ErrorResponses.json(ctx, IssueType.NOTSUPPORTED, "The request uses an HTTP version or a"
          + " Transfer-Encoding the server does not support; use HTTP/1.1, with no transfer coding or chunked");
    } else {
      json = ErrorResponses.json(ctx, code(status), diagnostics(status, response, throwable));
    }
    try {
      response.setContentType(ErrorResponses.CONTENT_TYPE);
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(json);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the connection is gone or the response cannot take a body: nothing more to say
    }
  }

  private static IssueType code(int status) {
    return switch (status) {
      case 404 -> IssueType.NOTFOUND;
      case 405, 501 -> IssueType.NOTSUPPORTED;
      case 413, 414, 431 -> IssueType.TOOCOSTLY;
      default -> status >= 500 ? IssueType.EXCEPTION : IssueType.INVALID;
    };
  }

  /** What Tomcat said about the request (it names the request's fault, never the server's inner state). */
  private static String diagnostics(int status, Response response, Throwable throwable) {
    if (status >= 500) {
      return "The server could not process the request (HTTP " + status + ")";
    }
    String message = response.getMessage();
    if ((message == null || message.isBlank()) && throwable instanceof IllegalArgumentException) {
      // the request-line parser's reason, e.g. "Invalid character found in the request target [...]"
      message = throwable.getMessage();
    }
    return message == null || message.isBlank() ? "The request was refused (HTTP " + status + ")" : message;
  }
}
