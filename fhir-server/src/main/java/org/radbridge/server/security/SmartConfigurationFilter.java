package org.radbridge.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code GET [base]/.well-known/smart-configuration} (and at the server's root): the SMART
 * configuration, open to everyone. A filter, because the FHIR servlet owns every path under /fhir.
 */
public class SmartConfigurationFilter extends OncePerRequestFilter {
  private final SmartConfiguration smart;
  private final ObjectMapper json = new ObjectMapper();

  public SmartConfigurationFilter(SmartConfiguration smart) {
    this.smart = smart;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
      response.setStatus(405);
      response.setHeader("Allow", "GET, HEAD");
      return;
    }
    String host = request.getHeader("Host");
    String origin = request.getScheme() + "://" + (host != null && !host.isBlank() ? host
        : request.getServerName() + ":" + request.getServerPort());
    byte[] body = json.writeValueAsBytes(smart.document(origin));
    response.setStatus(200);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    if ("GET".equals(request.getMethod())) {
      response.getOutputStream().write(body);
    }
  }
}
