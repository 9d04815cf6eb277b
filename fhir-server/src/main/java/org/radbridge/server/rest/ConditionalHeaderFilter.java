package org.radbridge.server.rest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * An If-Modified-Since that is not an HTTP date is ignored, as RFC 9110 (13.1.3) tells a recipient
 * to do; HAPI would otherwise fail on it with a 500.
 */
public class ConditionalHeaderFilter extends OncePerRequestFilter {
  static final String IF_MODIFIED_SINCE = "If-Modified-Since";

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String value = request.getHeader(IF_MODIFIED_SINCE);
    if (value == null || isHttpDate(value)) {
      chain.doFilter(request, response);
      return;
    }
    chain.doFilter(new HttpServletRequestWrapper(request) {
      @Override
      public String getHeader(String name) {
        return IF_MODIFIED_SINCE.equalsIgnoreCase(name) ? null : super.getHeader(name);
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        return IF_MODIFIED_SINCE.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
      }

      @Override
      public long getDateHeader(String name) {
        return IF_MODIFIED_SINCE.equalsIgnoreCase(name) ? -1 : super.getDateHeader(name);
      }

      @Override
      public Enumeration<String> getHeaderNames() {
        return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
            .filter(n -> !IF_MODIFIED_SINCE.equalsIgnoreCase(n)).toList());
      }
    }, response);
  }

  /** The date formats HTTP allows (RFC 1123, RFC 850, asctime), as HAPI reads them. */
  static boolean isHttpDate(String value) {
    return ca.uhn.fhir.util.DateUtils.parseDate(value) != null;
  }
}
