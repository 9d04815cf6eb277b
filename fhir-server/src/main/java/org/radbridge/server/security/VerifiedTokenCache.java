package org.radbridge.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers the tokens a {@link JwtDecoder} accepted until they expire, so a client that sends the
 * same token on every request pays for its signature check once, not each time (measured: a fifth
 * of a small read went to parsing the key and verifying the RSA signature). A token is only ever
 * answered from here with what its own full verification gave, and never after its {@code exp};
 * refused tokens are not remembered. Bounded in count; the token string itself is the key, so two
 * tokens can never share an entry.
 */
final class VerifiedTokenCache implements JwtDecoder {
  static final int MAX_TOKENS = 10_000;

  private final JwtDecoder verifier;
  private final Clock clock;
  private final Cache<String, Jwt> accepted;

  VerifiedTokenCache(JwtDecoder verifier, Clock clock) {
    this.verifier = verifier;
    this.clock = clock;
    this.accepted = Caffeine.newBuilder().maximumSize(MAX_TOKENS).expireAfter(new UntilExpiry(clock)).build();
  }

  @Override
  public Jwt decode(String token) throws JwtException {
    Jwt known = accepted.getIfPresent(token);
    if (known != null && known.getExpiresAt() != null && clock.instant().isBefore(known.getExpiresAt())) {
      return known;
    }
    Jwt jwt = verifier.decode(token);
    if (jwt.getExpiresAt() != null) {
      accepted.put(token, jwt);
    }
    return jwt;
  }

  /** An entry lives until its token's {@code exp}, however it was read or replaced. */
  private record UntilExpiry(Clock clock) implements Expiry<String, Jwt> {
    @Override
    public long expireAfterCreate(String token, Jwt jwt, long currentTime) {
      return Math.max(0, Duration.between(clock.instant(), jwt.getExpiresAt()).toNanos());
    }

    @Override
    public long expireAfterUpdate(String token, Jwt jwt, long currentTime, long currentDuration) {
      return expireAfterCreate(token, jwt, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Jwt jwt, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
