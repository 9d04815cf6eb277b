package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** Real RS256 tokens, a real Nimbus verifier, and a clock the test moves. */
class VerifiedTokenCacheTest {
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-08T10:00:00Z"));
  private final Clock clock = new Clock() {
    @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  private final AtomicInteger verifications = new AtomicInteger();
  private RSAKey key;
  private JwtDecoder cache;

  @BeforeEach
  void setUp() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    NimbusJwtDecoder nimbus = NimbusJwtDecoder.withPublicKey(key.toRSAPublicKey()).build();
    JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ZERO);
    timestamps.setClock(clock);
    nimbus.setJwtValidator(timestamps);
    cache = new VerifiedTokenCache(token -> {
      verifications.incrementAndGet();
      return nimbus.decode(token);
    }, clock);
  }

  @Test
  void aTokenIsVerifiedOnceUntilItExpiresAndRefusedAfter() throws Exception {
    String token = sign(key, "client-a", now.get().plusSeconds(300));
    assertThat(cache.decode(token).getSubject()).isEqualTo("client-a");
    assertThat(cache.decode(token).getSubject()).isEqualTo("client-a");
    assertThat(verifications).hasValue(1);

    now.set(now.get().plusSeconds(301));
    assertThatThrownBy(() -> cache.decode(token)).isInstanceOf(JwtException.class).hasMessageContaining("expired");
    assertThat(verifications).hasValue(2);
  }

  @Test
  void aRefusedTokenIsCheckedAgainEveryTime() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    String forged = sign(stranger, "client-a", now.get().plusSeconds(300));
    assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);
    assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(JwtException.class);
    assertThat(verifications).hasValue(2);
  }

  @Test
  void tokensNeverShareAnEntry() throws Exception {
    String a = sign(key, "client-a", now.get().plusSeconds(300));
    String b = sign(key, "client-b", now.get().plusSeconds(300));
    assertThat(cache.decode(a).getSubject()).isEqualTo("client-a");
    assertThat(cache.decode(b).getSubject()).isEqualTo("client-b");
    assertThat(cache.decode(a).getSubject()).isEqualTo("client-a");
    assertThat(verifications).hasValue(2);
  }

  private static String sign(RSAKey key, String subject, Instant exp) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().subject(subject).issueTime(Date.from(exp.minusSeconds(300)))
            .expirationTime(Date.from(exp)).build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }
}
