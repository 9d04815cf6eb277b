package org.radbridge.server.security;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.radbridge.server.RadBridgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Every request but a few needs a bearer token (README "Security"): the CapabilityStatement, the
 * SMART configuration and the liveness and readiness probes are open; {@code /admin} and the
 * other actuator endpoints need {@value SmartScopes#ADMIN}; everything else a valid token, whose
 * scopes the FHIR layer then checks per interaction ({@link RestScopeCheck}, {@link ScopeGuard}).
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {
  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  @Bean
  @Order(3)
  SecurityFilterChain apiChain(HttpSecurity http, SecurityProperties security, RadBridgeProperties props,
      FhirContext ctx, JwtDecoder decoder, org.springframework.core.env.Environment env) throws Exception {
    http.csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(r -> r.disable())
        // FHIR answers carry their own caching headers (ETag, Last-Modified)
        .headers(h -> h.cacheControl(c -> c.disable()));
    if (!security.isEnabled()) {
      requireLoopback(props, env);
      log.warn("radbridge.security.enabled=false: every request is served without a token, as an administrator."
          + " For benchmarks and local experiments only.");
      http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
      return http.build();
    }
    OperationOutcomeAnswers answers = new OperationOutcomeAnswers(ctx);
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    RequestMatcher open = new OrRequestMatcher(path.matcher("/fhir/metadata"),
        path.matcher("/fhir/.well-known/smart-configuration"), path.matcher("/.well-known/smart-configuration"),
        path.matcher("/actuator/health/liveness"), path.matcher("/actuator/health/readiness"), path.matcher("/error"));
    RequestMatcher admin = new OrRequestMatcher(path.matcher("/admin/**"), path.matcher("/actuator/**"));
    http.authorizeHttpRequests(a -> a.requestMatchers(open).permitAll()
            .requestMatchers(admin).hasAuthority("SCOPE_" + SmartScopes.ADMIN)
            .anyRequest().authenticated())
        .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.decoder(decoder))
            .authenticationEntryPoint(answers).accessDeniedHandler(answers))
        .exceptionHandling(e -> e.authenticationEntryPoint(answers).accessDeniedHandler(answers));
    return http.build();
  }

  /**
   * No Micrometer observation around every security filter and authentication: with the actuator on
   * the class path Spring Security wraps each filter of each request in one, which a JFR profile of
   * small reads put at about a third of the security chain's own cost. Requests are still timed as a
   * whole (http.server.requests).
   */
  @Bean
  org.springframework.security.config.observation.SecurityObservationSettings securityObservationSettings() {
    return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
  }

  /**
   * Spring Security's firewall, except its list of methods: rest/MethodFilter answers every method
   * FHIR does not use with 405 and an Allow header, as a FHIR client expects.
   */
  @Bean
  org.springframework.security.web.firewall.HttpFirewall httpFirewall() {
    org.springframework.security.web.firewall.StrictHttpFirewall firewall =
        new org.springframework.security.web.firewall.StrictHttpFirewall();
    firewall.setUnsafeAllowAnyHttpMethod(true);
    return firewall;
  }

  /** A request the firewall refuses (an encoded slash in the path, say) is a 400 OperationOutcome. */
  @Bean
  org.springframework.security.web.firewall.RequestRejectedHandler requestRejectedHandler(FhirContext ctx) {
    return (request, response, rejected) -> org.radbridge.server.security.OperationOutcomeAnswers.badRequest(ctx,
        response, "The request is refused: " + rejected.getMessage());
  }

  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<SmartConfigurationFilter> smartConfigurationFilter(
      SmartConfiguration smart) {
    var reg = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new SmartConfigurationFilter(smart));
    reg.addUrlPatterns("/fhir/.well-known/smart-configuration", "/.well-known/smart-configuration");
    reg.setOrder(0);
    return reg;
  }

  /**
   * Tokens of the built-in authorization server are checked against its own keys, in process; an
   * external issuer's against its published keys, fetched when the first token arrives (the issuer
   * need not be up when RadBridge starts). Either way a token is verified once and then remembered
   * until it expires ({@link VerifiedTokenCache}).
   */
  @Bean
  JwtDecoder jwtDecoder(SecurityProperties security, ObjectProvider<JWKSource<SecurityContext>> keys) {
    JwtDecoder verifier = security.isBuiltInIssuer()
        ? OAuth2AuthorizationServerConfiguration.jwtDecoder(keys.getObject())
        : new SupplierJwtDecoder(() -> JwtDecoders.fromIssuerLocation(security.getIssuerUri()));
    return new VerifiedTokenCache(verifier, java.time.Clock.systemUTC());
  }

  /** Security off is refused unless nothing but this machine can reach any listener. */
  private static void requireLoopback(RadBridgeProperties props, org.springframework.core.env.Environment env) {
    String address = env.getProperty("server.address", props.getBindAddress());
    for (String a : new String[] {address, props.getBindAddress()}) {
      try {
        if (a != null && !a.isBlank() && !InetAddress.getByName(a).isLoopbackAddress()) {
          throw new IllegalStateException("radbridge.security.enabled=false is refused: the listeners bind to " + a
              + ", which is not a loopback address (set radbridge.bind-address=127.0.0.1, or turn security on)");
        }
      } catch (UnknownHostException e) {
        throw new IllegalStateException("radbridge.bind-address " + a + " cannot be resolved", e);
      }
    }
  }
}
