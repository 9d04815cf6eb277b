package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * How Tomcat treats a request before it reaches a filter: FHIR query strings as people type them,
 * and Tomcat's own refusals as OperationOutcomes.
 */
public class TomcatCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
  /**
   * RFC 3986 wants these percent-encoded, but FHIR search writes them raw: {@code |} between system
   * and code, {@code \} its escape, brackets and braces in pasted identifiers and URLs.
   */
  static final String RELAXED_QUERY_CHARS = "|\\[]{}";
  /** Ids and compartment paths never need a backslash: it stays refused there. */
  static final String RELAXED_PATH_CHARS = "|[]{}";

  private final FhirContext ctx;

  public TomcatCustomizer(FhirContext ctx) {
    this.ctx = ctx;
  }

  /** After Spring Boot's own customizer, whose ErrorReportValve this one replaces. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addConnectorCustomizers(connector -> {
      // Tomcat answers TRACE itself with a bare 405; let it through to MethodFilter, which refuses it too
      connector.setAllowTrace(true);
      if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
        http.setRelaxedQueryChars(RELAXED_QUERY_CHARS);
        http.setRelaxedPathChars(RELAXED_PATH_CHARS);
      }
    });
    factory.addContextCustomizers(context -> {
      StandardHost host = (StandardHost) context.getParent();
      for (Valve valve : host.getPipeline().getValves()) {
        if (valve instanceof ErrorReportValve) {
          host.getPipeline().removeValve(valve);
        }
      }
      host.getPipeline().addValve(new OperationOutcomeErrorValve(ctx));
      // the host adds a valve of this class at start unless one is there: ours is
      host.setErrorReportValveClass(OperationOutcomeErrorValve.class.getName());
    });
  }
}
