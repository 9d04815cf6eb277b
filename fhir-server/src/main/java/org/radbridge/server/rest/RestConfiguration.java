package org.radbridge.server.rest;

import ca.uhn.fhir.context.FhirContext;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.ResourceWriter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Mounts the FHIR servlet at /fhir, the filters in front of it, and Tomcat's treatment of requests. */
@Configuration(proxyBeanMethods = false)
public class RestConfiguration {
  @Bean
  public ServletRegistrationBean<FhirRestServlet> fhirServlet(FhirContext ctx, ResourceWriter writer,
      ResourceReader reader, HistoryPages history, SearchPages search,
      org.radbridge.server.bundle.BundleProcessor bundles, RadBridgeProperties props,
      org.radbridge.server.validation.WriteValidation validation,
      org.radbridge.server.terminology.NetworkConformance conformance,
      org.radbridge.server.subscription.EventNumbers subscriptionEvents,
      org.springframework.jdbc.core.JdbcTemplate jdbc, org.radbridge.server.search.SearchService searchService,
      org.radbridge.server.workflow.TurnaroundFigures figures, LinkSigner signer,
      org.radbridge.server.security.RestCallers callers, org.radbridge.server.security.RestScopeCheck scopeCheck,
      org.radbridge.server.security.SmartConfiguration smart, org.radbridge.server.security.SecurityProperties security,
      org.radbridge.server.security.BreakGlassSessions breakGlass, org.radbridge.server.audit.AuditLog audit,
      org.radbridge.server.audit.AuditRows auditRows) {
    FhirRestServlet servlet = new FhirRestServlet(ctx, writer, reader, history, search, bundles, props, validation,
        conformance, subscriptionEvents, new org.radbridge.server.workflow.WorklistProvider(jdbc, searchService, reader, callers::visibility),
        new org.radbridge.server.workflow.TurnaroundProvider(figures, reader, callers::visibility), signer, callers,
        scopeCheck);
    servlet.registerInterceptor(new org.radbridge.server.security.CapabilityStatementSecurity(smart, security));
    servlet.registerInterceptor(new org.radbridge.server.security.BreakGlassReadTrail(callers, breakGlass));
    servlet.registerInterceptor(new org.radbridge.server.audit.RestAudit(audit, callers));
    servlet.addResourceProvider(new org.radbridge.server.audit.AuditEventProvider(auditRows, ctx));
    ServletRegistrationBean<FhirRestServlet> reg = new ServletRegistrationBean<>(servlet, "/fhir/*");
    reg.setName("fhir");
    reg.setLoadOnStartup(1);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<NotReadyWriteFilter> notReadyWriteFilter(FhirContext ctx,
      org.radbridge.server.readiness.ReadinessGate readiness) {
    FilterRegistrationBean<NotReadyWriteFilter> reg = new FilterRegistrationBean<>(new NotReadyWriteFilter(ctx, readiness));
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(1);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(FhirContext ctx, RadBridgeProperties props) {
    FilterRegistrationBean<BodySizeLimitFilter> reg = new FilterRegistrationBean<>(new BodySizeLimitFilter(ctx, props));
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(2);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<QueryStringFilter> queryStringFilter(FhirContext ctx) {
    FilterRegistrationBean<QueryStringFilter> reg = new FilterRegistrationBean<>(new QueryStringFilter(ctx));
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(2);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<MethodFilter> methodFilter(FhirContext ctx) {
    FilterRegistrationBean<MethodFilter> reg = new FilterRegistrationBean<>(new MethodFilter(ctx));
    reg.addUrlPatterns("/*");
    reg.setOrder(1);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<ConditionalHeaderFilter> conditionalHeaderFilter() {
    FilterRegistrationBean<ConditionalHeaderFilter> reg = new FilterRegistrationBean<>(new ConditionalHeaderFilter());
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(2);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<ParameterFilter> parameterFilter(FhirContext ctx, RadBridgeProperties props) {
    FilterRegistrationBean<ParameterFilter> reg = new FilterRegistrationBean<>(new ParameterFilter(ctx, props));
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(3);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<RequestBodyFilter> requestBodyFilter(RadBridgeProperties props) {
    FilterRegistrationBean<RequestBodyFilter> reg = new FilterRegistrationBean<>(new RequestBodyFilter(props));
    reg.addUrlPatterns("/fhir", "/fhir/*");
    reg.setOrder(3);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<CompartmentSearchFilter> compartmentSearchFilter(FhirContext ctx) {
    FilterRegistrationBean<CompartmentSearchFilter> reg = new FilterRegistrationBean<>(
        new CompartmentSearchFilter(ctx.getResourceTypes()));
    reg.addUrlPatterns("/fhir/*");
    reg.setOrder(4);
    return reg;
  }

  @Bean
  public FilterRegistrationBean<StoredJsonReadFilter> storedJsonReadFilter(FhirContext ctx,
      org.radbridge.server.store.ResourceRows rows, org.radbridge.server.security.RestCallers callers) {
    FilterRegistrationBean<StoredJsonReadFilter> reg = new FilterRegistrationBean<>(
        new StoredJsonReadFilter(rows, servedAsStored(ctx), callers));
    reg.addUrlPatterns("/fhir/*");
    reg.setOrder(5);
    return reg;
  }

  /** Types whose stored JSON is the answer as is: not Subscription, whose channel headers are masked. */
  private static java.util.Set<String> servedAsStored(FhirContext ctx) {
    java.util.Set<String> types = new java.util.HashSet<>(ctx.getResourceTypes());
    types.remove("Subscription");
    return java.util.Set.copyOf(types);
  }

  @Bean
  public FilterRegistrationBean<RequestLogFilter> requestLogFilter() {
    FilterRegistrationBean<RequestLogFilter> reg = new FilterRegistrationBean<>(new RequestLogFilter());
    reg.addUrlPatterns("/*");
    reg.setOrder(0);
    return reg;
  }

  @Bean
  public TomcatCustomizer tomcatCustomizer(FhirContext ctx) {
    return new TomcatCustomizer(ctx);
  }
}
