package org.radbridge.server.rest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Compartment search, {@code GET /fhir/Patient/123/DiagnosticReport?...}: HAPI's plain server has
 * no generic route for it, so the request is handed on as the type search
 * {@code /fhir/DiagnosticReport?_compartment=Patient/123&...}, which the search SQL turns into the
 * R4 CompartmentDefinition's membership test.
 */
public class CompartmentSearchFilter extends OncePerRequestFilter {
  private static final Set<String> COMPARTMENTS = Set.of("Patient", "Encounter", "RelatedPerson", "Practitioner", "Device");
  private static final Pattern PATH = Pattern.compile("^/fhir/([A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})/([A-Z][A-Za-z]+)(/_search)?/?$");

  private final Set<String> resourceTypes;

  public CompartmentSearchFilter(Set<String> resourceTypes) {
    this.resourceTypes = resourceTypes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Matcher m = PATH.matcher(path);
    if (m.matches() && COMPARTMENTS.contains(m.group(1)) && resourceTypes.contains(m.group(3))
        && ("GET".equals(request.getMethod()) || m.group(4) != null)) {
      chain.doFilter(new Rewritten(request, m.group(3), m.group(1) + "/" + m.group(2)), response);
      return;
    }
    chain.doFilter(request, response);
  }

  /** The request as the equivalent type search. */
  private static final class Rewritten extends HttpServletRequestWrapper {
    private final String type;
    private final Map<String, String[]> params;
    private final String query;

    Rewritten(HttpServletRequest request, String type, String compartment) {
      super(request);
      this.type = type;
      this.params = new LinkedHashMap<>();
      params.put("_compartment", new String[] {compartment});
      params.putAll(request.getParameterMap());
      StringBuilder q = new StringBuilder("_compartment=").append(URLEncoder.encode(compartment, StandardCharsets.UTF_8));
      if (request.getQueryString() != null && !request.getQueryString().isEmpty()) {
        q.append('&').append(request.getQueryString());
      }
      this.query = q.toString();
    }

    @Override
    public String getMethod() {
      return "GET";
    }

    @Override
    public String getRequestURI() {
      return getContextPath() + "/fhir/" + type;
    }

    @Override
    public StringBuffer getRequestURL() {
      StringBuffer url = new StringBuffer(super.getRequestURL());
      url.setLength(url.indexOf("/fhir/") + 6);
      return url.append(type);
    }

    @Override
    public String getPathInfo() {
      return "/" + type;
    }

    @Override
    public String getQueryString() {
      return query;
    }

    @Override
    public String getParameter(String name) {
      String[] v = params.get(name);
      return v == null || v.length == 0 ? null : v[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
      return Collections.unmodifiableMap(params);
    }

    @Override
    public Enumeration<String> getParameterNames() {
      return Collections.enumeration(params.keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
      return params.get(name);
    }
  }
}
