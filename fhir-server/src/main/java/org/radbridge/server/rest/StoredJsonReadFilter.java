package org.radbridge.server.rest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The plain read, {@code GET /fhir/Type/id[/_history/vid]} answered in JSON with no parameters,
 * served from the stored JSON as it is: the stored text is exactly what HAPI's encoder would write,
 * so parsing and re-encoding it on every read is skipped. Anything else — another format, _summary,
 * _elements, _pretty, conditional headers, a missing or deleted resource — goes on to HAPI.
 */
public class StoredJsonReadFilter extends OncePerRequestFilter {
  private static final Pattern PATH =
      Pattern.compile("^/fhir/([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(?:/_history/([0-9]{1,9}))?$");
  // IMF-fixdate (RFC 7231 7.1.1.1): two-digit day; RFC_1123_DATE_TIME prints "6 Dec" on single-digit days
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
      java.util.Locale.US).withZone(ZoneOffset.UTC);

  private final ResourceRows rows;
  private final Set<String> resourceTypes;

  private final org.radbridge.server.security.RestCallers callers;

  public StoredJsonReadFilter(ResourceRows rows, Set<String> resourceTypes,
      org.radbridge.server.security.RestCallers callers) {
    this.callers = callers;
    this.rows = rows;
    this.resourceTypes = resourceTypes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Matcher m = "GET".equals(request.getMethod()) && request.getQueryString() == null
        && acceptsFhirJson(request.getHeader("Accept"))
        && request.getHeader("If-None-Match") == null && request.getHeader("If-Modified-Since") == null
        ? PATH.matcher(request.getRequestURI().substring(request.getContextPath().length())) : null;
    if (m == null || !m.matches() || !resourceTypes.contains(m.group(1))) {
      chain.doFilter(request, response);
      return;
    }
    org.radbridge.server.write.Caller caller = callers.currentOrNull();
    if (caller != null && caller.breakGlass() != null) {
      chain.doFilter(request, response); // HAPI's read lists what a break-glass session is shown (BreakGlassReadTrail)
      return;
    }
    String type = m.group(1);
    String id = m.group(2);
    // what the reader may not see is left to HAPI's read, which answers 404 the same way
    Optional<StoredVersion> found = m.group(3) == null ? rows.readCurrent(type, id, callers.visibility())
        : rows.readVersion(type, id, Integer.parseInt(m.group(3)), callers.visibility());
    if (found.isEmpty() || found.get().deleted()) {
      chain.doFilter(request, response); // 404 / 410 with HAPI's OperationOutcome
      return;
    }
    StoredVersion v = found.get();
    request.setAttribute(org.radbridge.server.audit.RestAuditFilter.SERVED_FROM_STORE, type + "/" + id);
    byte[] body = v.content().getBytes(StandardCharsets.UTF_8);
    String self = request.getRequestURL().toString();
    int at = self.indexOf("/fhir/");
    response.setStatus(200);
    response.setContentType("application/fhir+json;charset=UTF-8");
    response.setHeader("ETag", "W/\"" + v.versionId() + "\"");
    response.setHeader("Last-Modified", HTTP_DATE.format(v.lastUpdated()));
    response.setHeader("Content-Location", self.substring(0, at) + "/fhir/" + type + "/" + id + "/_history/" + v.versionId());
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static boolean acceptsFhirJson(String accept) {
    return accept == null || accept.isBlank() || accept.equals("*/*") || accept.startsWith("application/fhir+json");
  }
}
