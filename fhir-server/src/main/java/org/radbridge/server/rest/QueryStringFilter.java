package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses with 400 a query string that cannot be decoded — a {@code %} not followed by two hex
 * digits — or that decodes to NUL, which no stored or searched text can hold. Without this, HAPI's
 * decoder and PostgreSQL fail on them deep inside and the client gets a 500.
 */
public class QueryStringFilter extends OncePerRequestFilter {
  private final FhirContext ctx;

  public QueryStringFilter(FhirContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String problem = problem(request.getQueryString());
    if (problem != null) {
      ErrorResponses.send(ctx, response, 400, OperationOutcome.IssueType.INVALID, problem);
      return;
    }
    chain.doFilter(request, response);
  }

  /** What is wrong with the raw (undecoded) query string, or null. */
  static String problem(String query) {
    if (query == null) {
      return null;
    }
    for (int i = query.indexOf('%'); i >= 0; i = query.indexOf('%', i + 1)) {
      if (i + 2 >= query.length() || !isHex(query.charAt(i + 1)) || !isHex(query.charAt(i + 2))) {
        String escape = query.substring(i, Math.min(query.length(), i + 3));
        return "Malformed percent-encoding '" + escape + "' at character " + (i + 1)
            + " of the query string: '%' must be followed by two hexadecimal digits (a literal '%' is %25)";
      }
      if (query.charAt(i + 1) == '0' && query.charAt(i + 2) == '0') {
        return "The query string holds a NUL character (%00) at character " + (i + 1)
            + ", which no search value can contain";
      }
    }
    return null;
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0 && c < 128;
  }
}
