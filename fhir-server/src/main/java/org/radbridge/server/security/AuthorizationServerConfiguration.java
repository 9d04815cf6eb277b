package org.radbridge.server.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.util.Set;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;

/**
 * RadBridge as its own authorization server (Spring Authorization Server), unless
 * {@code radbridge.security.issuer-uri} names another: the token endpoint for SMART Backend
 * Services ({@code client_credentials} with a {@code private_key_jwt} assertion) and the bootstrap
 * administrator ({@code client_secret_basic}); clients, issued authorizations and the signing key
 * in PostgreSQL, so every node shares them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${radbridge.security.issuer-uri:}'.isEmpty()")
public class AuthorizationServerConfiguration {

  @Bean
  @Order(1)
  SecurityFilterChain authorizationServerChain(HttpSecurity http, JdbcTemplate jdbc) throws Exception {
    OAuth2AuthorizationServerConfigurer as = OAuth2AuthorizationServerConfigurer.authorizationServer();
    ClientAssertionDecoders assertions = new ClientAssertionDecoders(jdbc);
    http.securityMatcher(as.getEndpointsMatcher())
        .with(as, server -> server
            .clientAuthentication(auth -> auth
                .authenticationConverters(converters -> converters.add(0, new SmartClientAssertionConverter()))
                .authenticationProviders(providers -> providers.forEach(p -> {
                  if (p instanceof JwtClientAssertionAuthenticationProvider jwt) {
                    jwt.setJwtDecoderFactory(assertions);
                  }
                })))
            .tokenEndpoint(token -> token.authenticationProviders(providers -> providers.forEach(p -> {
              if (p instanceof OAuth2ClientCredentialsAuthenticationProvider cc) {
                cc.setAuthenticationValidator(AuthorizationServerConfiguration::smartScopes);
              }
            }))))
        .authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .csrf(c -> c.ignoringRequestMatchers(as.getEndpointsMatcher()));
    return http.build();
  }

  /** A client may be granted what its registered scopes imply, in SMART's sense ({@link SmartScopes#implies}). */
  private static void smartScopes(OAuth2ClientCredentialsAuthenticationContext context) {
    RegisteredClient client = context.getRegisteredClient();
    SmartScopes registered = SmartScopes.of(client.getScopes());
    Set<String> requested = ((org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken)
        context.getAuthentication()).getScopes();
    for (String scope : requested) {
      if (!registered.implies(scope)) {
        throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE,
            "scope '" + scope + "' is not among (nor implied by) the scopes registered for " + client.getClientId(),
            null));
      }
    }
  }

  @Bean
  RegisteredClientRepository registeredClients(JdbcTemplate jdbc, NetworkProperties network, RadBridgeProperties props,
      SecurityProperties security) {
    JdbcRegisteredClientRepository repository = new JdbcRegisteredClientRepository(jdbc);
    ClientRegistrations.register(repository, network, props, security);
    return repository;
  }

  @Bean
  OAuth2AuthorizationService authorizations(JdbcTemplate jdbc, RegisteredClientRepository clients) {
    return new JdbcOAuth2AuthorizationService(jdbc, clients);
  }

  @Bean
  JWKSource<SecurityContext> signingKeys(JdbcTemplate jdbc) {
    JWKSet keys = SigningKeys.load(jdbc);
    return new ImmutableJWKSet<>(keys);
  }

  @Bean
  AuthorizationServerSettings authorizationServerSettings(RadBridgeProperties props) {
    AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder();
    if (!props.getBaseUrl().isBlank()) {
      // the issuer is the server's public origin; unset, each request's own URL names it
      URI base = URI.create(props.getBaseUrl());
      settings.issuer(base.getScheme() + "://" + base.getAuthority());
    }
    return settings.build();
  }

  /** Access tokens name their client and the organisation it acts for. */
  @Bean
  OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(SecurityProperties security) {
    return context -> {
      if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
        RegisteredClient client = context.getRegisteredClient();
        context.getClaims().claim("client_id", client.getClientId());
        String org = client.getClientSettings().getSetting(ClientRegistrations.ORGANIZATION_SETTING);
        if (org != null && !org.isBlank()) {
          context.getClaims().claim(security.getOrganizationClaim(), org);
        }
      }
    };
  }
}
