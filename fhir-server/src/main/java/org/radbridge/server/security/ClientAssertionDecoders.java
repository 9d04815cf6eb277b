package org.radbridge.server.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * How a SMART Backend Services client assertion ({@code private_key_jwt}) is checked: signed RS384
 * or ES384 with a key of the client's JWK Set — given by value ({@value #JWKS_SETTING}) or by URL —
 * with Spring Authorization Server's checks of {@code iss}, {@code sub}, {@code aud} and the
 * times, an {@code exp} at most five minutes ahead, and a {@code jti} used once (kept in the
 * database until the assertion expires, so a replay is refused on every node).
 */
final class ClientAssertionDecoders implements JwtDecoderFactory<RegisteredClient> {
  static final String JWKS_SETTING = "radbridge.jwks";
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384);
  private static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  private final JdbcTemplate jdbc;
  private final Map<String, JwtDecoder> decoders = new ConcurrentHashMap<>();
  private final AtomicLong uses = new AtomicLong();

  ClientAssertionDecoders(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public JwtDecoder createDecoder(RegisteredClient client) {
    String jwks = client.getClientSettings().getSetting(JWKS_SETTING);
    String url = client.getClientSettings().getJwkSetUrl();
    // the keys themselves are part of the key: a client whose keys were changed gets a new decoder
    String key = client.getClientId() + "\n" + jwks + "\n" + url;
    return decoders.computeIfAbsent(key, k -> build(client, jwks, url));
  }

  private JwtDecoder build(RegisteredClient client, String jwks, String url) {
    JWKSource<SecurityContext> keys;
    try {
      if (jwks != null && !jwks.isBlank()) {
        keys = new ImmutableJWKSet<>(JWKSet.parse(jwks));
      } else if (url != null && !url.isBlank()) {
        keys = JWKSourceBuilder.create(URI.create(url).toURL()).build();
      } else {
        throw new IllegalStateException("client " + client.getClientId() + " has no keys for private_key_jwt");
      }
    } catch (ParseException | java.net.MalformedURLException e) {
      throw new IllegalStateException("client " + client.getClientId() + " has unreadable keys", e);
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    processor.setJWTClaimsSetVerifier((claims, context) -> { }); // the validators below check the claims
    NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
    decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
        JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY.apply(client), this::smartRules));
    return decoder;
  }

  /** SMART Backend Services: exp no more than five minutes ahead; jti present and never seen before. */
  private OAuth2TokenValidatorResult smartRules(Jwt assertion) {
    Instant exp = assertion.getExpiresAt();
    if (exp == null || exp.isAfter(Instant.now().plus(MAX_LIFETIME).plus(CLOCK_SKEW))) {
      return failure("the client assertion's exp must be at most five minutes ahead");
    }
    String jti = assertion.getId();
    if (jti == null || jti.isBlank() || jti.length() > 255) {
      return failure("the client assertion needs a jti (at most 255 characters)");
    }
    if (uses.incrementAndGet() % 100 == 0) {
      jdbc.update("DELETE FROM client_assertion_jti WHERE expires_at < now() - interval '5 minutes'");
    }
    int stored = jdbc.update("INSERT INTO client_assertion_jti (client_id, jti, expires_at) VALUES (?, ?, ?)"
        + " ON CONFLICT DO NOTHING", assertion.getSubject(), jti, java.sql.Timestamp.from(exp));
    return stored == 1 ? OAuth2TokenValidatorResult.success()
        : failure("the client assertion's jti has been used before");
  }

  private static OAuth2TokenValidatorResult failure(String why) {
    return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_client", why, null));
  }
}
