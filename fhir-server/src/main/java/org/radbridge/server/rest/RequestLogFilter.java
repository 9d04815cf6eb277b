package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.ServletRequestTracing;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One log line per HTTP request: method, path, the names of its query parameters (never their
 * values: those are identifiers, names and birth dates), status, time in milliseconds and the
 * request id. The id is assigned here (the client's X-Request-ID when it is a plain token), so
 * HAPI, the answer of a failed request and every log line of the request carry the same one.
 */
public class RequestLogFilter extends OncePerRequestFilter {
  private static final Logger log = LoggerFactory.getLogger("radbridge.request");
  /** MDC key of the request id. */
  public static final String REQUEST_ID = "requestId";
  private static final int MAX_NAMES = 30;
  private static final int MAX_NAME_LENGTH = 80;

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long start = System.nanoTime();
    String id = ServletRequestTracing.getOrGenerateRequestId(request);
    MDC.put(REQUEST_ID, id);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(REQUEST_ID);
      if (log.isInfoEnabled()) {
        log.info("{} {}{} {} {}ms id={}", request.getMethod(), request.getRequestURI(),
            parameterNames(request.getQueryString()), response.getStatus(), (System.nanoTime() - start) / 1_000_000, id);
      }
    }
  }

  /** "?name&birthdate" for "?name=Smith&birthdate=1990": the names as sent, each once, bounded. */
  static String parameterNames(String query) {
    if (query == null || query.isEmpty()) {
      return "";
    }
    Set<String> names = new LinkedHashSet<>();
    int more = 0;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (name.isEmpty()) {
        continue;
      }
      if (name.length() > MAX_NAME_LENGTH) {
        name = name.substring(0, MAX_NAME_LENGTH) + "…";
      }
      if (!names.contains(name)) {
        if (names.size() < MAX_NAMES) {
          names.add(name);
        } else {
          more++;
        }
      }
    }
    return names.isEmpty() ? "" : "?" + String.join("&", names) + (more > 0 ? "&…(" + more + " more)" : "");
  }
}
