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
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
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
  SecurityFilterChain authorizationServerChain(HttpSecurity http, JdbcTemplate jdbc, UserAccounts users)
      throws Exception {
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
            })))
            // people: authorization code with PKCE (the console is a public client), OpenID Connect
            .authorizationEndpoint(authorize -> authorize.authenticationProviders(providers -> providers.forEach(p -> {
              if (p instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider code) {
                code.setAuthenticationValidator(AuthorizationServerConfiguration.roleBoundScopes(users));
              }
            })))
            .oidc(org.springframework.security.config.Customizer.withDefaults()))
        .authorizeHttpRequests(a -> a.anyRequest().authenticated())
        // a browser sent to log in goes to the login page; the userinfo endpoint takes bearer tokens
        .exceptionHandling(e -> e.authenticationEntryPoint(
            new org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint("/login")))
        .oauth2ResourceServer(rs -> rs.jwt(org.springframework.security.config.Customizer.withDefaults()))
        .csrf(c -> c.ignoringRequestMatchers(as.getEndpointsMatcher()));
    return http.build();
  }

  /** The login form people use on their way to a token (its session lives only for the login). */
  @Bean
  @Order(2)
  SecurityFilterChain loginChain(HttpSecurity http) throws Exception {
    org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.Builder path =
        org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.withDefaults();
    http.securityMatcher(new org.springframework.security.web.util.matcher.OrRequestMatcher(path.matcher("/login"),
            path.matcher("/logout")))
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .formLogin(org.springframework.security.config.Customizer.withDefaults());
    return http.build();
  }

  @Bean
  UserAccounts userAccounts(SecurityProperties security) {
    return new UserAccounts(security);
  }

  /**
   * Spring's checks of an authorization request (redirect URI, the client's scopes), then the
   * person's role: a login may grant only what the role allows ({@link UserAccounts#ROLE_SCOPES}).
   */
  private static java.util.function.Consumer<org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext>
      roleBoundScopes(UserAccounts users) {
    var defaults = org.springframework.security.oauth2.server.authorization.authentication
        .OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR.andThen(
            org.springframework.security.oauth2.server.authorization.authentication
                .OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_SCOPE_VALIDATOR);
    return context -> {
      defaults.accept(context);
      var request = (org.springframework.security.oauth2.server.authorization.authentication
          .OAuth2AuthorizationCodeRequestAuthenticationToken) context.getAuthentication();
      if (!(request.getPrincipal() instanceof org.springframework.security.core.Authentication who)
          || !who.isAuthenticated() || who instanceof org.springframework.security.authentication.AnonymousAuthenticationToken) {
        return; // not logged in yet: the login comes first, then this check again
      }
      String role = users.user(who.getName()).map(SecurityProperties.User::getRole).orElse("");
      for (String scope : request.getScopes()) {
        if (!UserAccounts.mayBeGranted(role, scope)) {
          throw new org.springframework.security.oauth2.server.authorization.authentication
              .OAuth2AuthorizationCodeRequestAuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE,
                  "scope '" + scope + "' is beyond what the role " + role + " may be granted", null), request);
        }
      }
    };
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
  OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(SecurityProperties security, UserAccounts users) {
    return context -> {
      if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
        RegisteredClient client = context.getRegisteredClient();
        context.getClaims().claim("client_id", client.getClientId());
        String organization = client.getClientSettings().getSetting(ClientRegistrations.ORGANIZATION_SETTING);
        if (org.springframework.security.oauth2.core.AuthorizationGrantType.AUTHORIZATION_CODE.equals(
            context.getAuthorizationGrantType())) {
          // a person's token: their organisation and role, not the console's
          var user = users.user(context.getPrincipal().getName());
          organization = user.map(SecurityProperties.User::getOrganization).orElse(null);
          user.ifPresent(u -> context.getClaims().claim("role", u.getRole()));
        }
        if (organization != null && !organization.isBlank()) {
          context.getClaims().claim(security.getOrganizationClaim(), organization);
        }
      }
    };
  }
}
