package org.radbridge.server.rest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/** One log line per HTTP request: method, path (with query), status and time in milliseconds. */
public class RequestLogFilter extends OncePerRequestFilter {
  private static final Logger log = LoggerFactory.getLogger("radbridge.request");

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long start = System.nanoTime();
    try {
      chain.doFilter(request, response);
    } finally {
      if (log.isInfoEnabled()) {
        String query = request.getQueryString();
        log.info("{} {}{} {} {}ms", request.getMethod(), request.getRequestURI(),
            query == null ? "" : "?" + query, response.getStatus(), (System.nanoTime() - start) / 1_000_000);
      }
    }
  }
}
