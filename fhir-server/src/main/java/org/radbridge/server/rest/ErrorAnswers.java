package org.radbridge.server.rest;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.exceptions.FHIRFormatError;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed request is told, and nothing more: a client's fault is a 4xx whose diagnostics name
 * the problem without Java class names or library codes; anything else is a 500 that says only that
 * an error occurred and gives the request id, under which the log keeps the whole story.
 */
public class ErrorAnswers {
  private static final Logger log = LoggerFactory.getLogger(ErrorAnswers.class);

  @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
  public BaseServerResponseException answer(RequestDetails request, Throwable thrown) {
    if (thrown instanceof BaseServerResponseException e && e.getStatusCode() < 500) {
      return scrubbed(e);
    }
    BaseServerResponseException refusal = wrappedRefusal(thrown);
    if (refusal != null) {
      // a refusal thrown where HAPI wraps everything it catches (reading the body, say)
      BaseServerResponseException s = scrubbed(refusal);
      return s == null ? refusal : s;
    }
    Throwable badInput = badInput(thrown);
    if (badInput != null) {
      // a body HAPI's parsers could not read, surfacing as an unexpected failure
      return new InvalidRequestException(InternalsScrubber.scrub(badInput.getMessage()));
    }
    Throwable binding = failedBindingParameters(thrown);
    if (binding instanceof NumberFormatException) {
      return new InvalidRequestException("A number in the request's parameters cannot be read: "
          + InternalsScrubber.scrub(binding.getMessage()));
    }
    if (binding != null) {
      return new InvalidRequestException("A parameter of the request does not have the type the operation expects"
          + " (for example a string where a resource belongs)");
    }
    if (thrown instanceof BaseServerResponseException e && e.getStatusCode() != 500) {
      return scrubbed(e); // 501, 503 and their like say what they mean
    }
    String id = request == null ? null : request.getRequestId();
    log.error("Request {} failed", id, thrown);
    return new InternalErrorException("An error occurred; request id " + id);
  }

  private static BaseServerResponseException wrappedRefusal(Throwable thrown) {
    for (Throwable t = thrown.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BaseServerResponseException e && e.getStatusCode() < 500) {
        return e;
      }
    }
    return null;
  }

  /**
   * The failure, when it happened while HAPI turned the request's parameters into the operation's
   * arguments: HAPI then fails on what the client sent (a valueString where a resource belongs, a
   * count beyond an integer) with configuration, cast and number errors of its own. Null otherwise.
   */
  private static Throwable failedBindingParameters(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ca.uhn.fhir.context.ConfigurationException || t instanceof ClassCastException
          || t instanceof NumberFormatException) {
        for (StackTraceElement frame : t.getStackTrace()) {
          if (frame.getClassName().startsWith("ca.uhn.fhir.rest.server.method.")
              && frame.getMethodName().startsWith("translateQueryParametersIntoServerArgument")) {
            return t;
          }
        }
      }
    }
    return null;
  }

  /** A parse failure in the cause chain: the request body was malformed, not the server. */
  private static Throwable badInput(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DataFormatException || t instanceof FHIRFormatError) {
        return t;
      }
    }
    return null;
  }

  /** The same refusal with its text scrubbed; null (keep it) when there was nothing to scrub. */
  private static BaseServerResponseException scrubbed(BaseServerResponseException e) {
    String message = InternalsScrubber.scrub(e.getMessage());
    boolean changed = !java.util.Objects.equals(message, e.getMessage());
    OperationOutcome oo = null;
    if (e.getOperationOutcome() instanceof OperationOutcome given) {
      oo = given.copy();
      for (OperationOutcome.OperationOutcomeIssueComponent issue : oo.getIssue()) {
        String d = InternalsScrubber.scrub(issue.getDiagnostics());
        if (issue.hasDiagnostics() && !d.equals(issue.getDiagnostics())) {
          issue.setDiagnostics(d);
          changed = true;
        }
      }
    }
    if (!changed) {
      return null;
    }
    BaseServerResponseException copy = BaseServerResponseException.newInstance(e.getStatusCode(), message);
    if (oo != null) {
      copy.setOperationOutcome(oo);
    }
    Map<String, List<String>> headers = e.getResponseHeaders();
    if (headers != null) {
      headers.forEach((name, values) -> values.forEach(v -> copy.addResponseHeader(name, v)));
    }
    return copy;
  }
}
