package org.radbridge.server.audit;

import org.radbridge.server.security.RestCallers;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The REST channel's audit filters, around and inside Spring Security's (order -100). */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {
  @Bean
  FilterRegistrationBean<RestAuditFilter> restAuditFilter(AuditLog audit, RestCallers callers) {
    FilterRegistrationBean<RestAuditFilter> reg = new FilterRegistrationBean<>(new RestAuditFilter(audit, callers));
    reg.addUrlPatterns("/fhir/*", "/admin/*", "/break-glass", "/actuator/*", "/websocket");
    reg.setOrder(-110);
    return reg;
  }

  @Bean
  FilterRegistrationBean<RestAuditFilter.CallerNote> auditCallerNote(RestCallers callers) {
    FilterRegistrationBean<RestAuditFilter.CallerNote> reg = new FilterRegistrationBean<>(new RestAuditFilter.CallerNote(callers));
    reg.addUrlPatterns("/fhir/*", "/admin/*", "/break-glass", "/actuator/*", "/websocket");
    reg.setOrder(-90);
    return reg;
  }
}
