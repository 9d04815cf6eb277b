package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The parameters HAPI will see — query string and form body together — are at most
 * {@code radbridge.limits.max-query-parameters}, readable and free of NUL; otherwise 400 naming
 * which. Tomcat stops reading parameters past its own count and then silently hands on the ones it
 * read, so a failed parse is refused here rather than searched partially (100,000 form parameters
 * once became 1,000 clauses and a PostgreSQL stack overflow).
 */
public class ParameterFilter extends OncePerRequestFilter {
  // Tomcat's request attributes (org.apache.catalina.Globals) for a parameter parse that failed
  private static final String PARSE_FAILED = "org.apache.catalina.parameter_parse_failed";
  private static final String PARSE_FAILED_REASON = "org.apache.catalina.parameter_parse_failed_reason";

  private final FhirContext ctx;
  private final RadBridgeProperties props;

  public ParameterFilter(FhirContext ctx, RadBridgeProperties props) {
    this.ctx = ctx;
    this.props = props;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String problem = problem(request);
    if (problem != null) {
      ErrorResponses.send(ctx, response, 400, OperationOutcome.IssueType.INVALID, problem);
      return;
    }
    chain.doFilter(request, response);
  }

  private String problem(HttpServletRequest request) {
    int max = props.getLimits().getMaxQueryParameters();
    Map<String, String[]> params = request.getParameterMap();
    if (request.getAttribute(PARSE_FAILED) != null) {
      String reason = String.valueOf(request.getAttribute(PARSE_FAILED_REASON));
      if ("TOO_MANY_PARAMETERS".equals(reason)) {
        return tooMany(-1, max);
      }
      return "The request's parameters could not be read (" + reason.toLowerCase().replace('_', ' ')
          + "): a form body must be application/x-www-form-urlencoded with '%' followed by two hexadecimal digits";
    }
    int count = 0;
    for (var e : params.entrySet()) {
      count += e.getValue().length;
      for (String v : e.getValue()) {
        if (v != null && v.indexOf('\0') >= 0 || e.getKey().indexOf('\0') >= 0) {
          return "Parameter '" + e.getKey().replace('\0', '?') + "' holds a NUL character (%00), which no search"
              + " value can contain";
        }
      }
    }
    return count > max ? tooMany(count, max) : null;
  }

  private static String tooMany(int count, int max) {
    return "The request has " + (count < 0 ? "too many" : Integer.toString(count)) + " parameters; at most " + max
        + " are accepted (radbridge.limits.max-query-parameters)";
  }
}
