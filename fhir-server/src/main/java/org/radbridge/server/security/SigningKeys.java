package org.radbridge.server.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.text.ParseException;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The key pair that signs RadBridge's access tokens: made once by the first node (an INSERT a
 * concurrent node loses harmlessly), kept in the database so every node signs and verifies with
 * the same key and tokens survive restarts.
 */
final class SigningKeys {
  private SigningKeys() {}

  static JWKSet load(JdbcTemplate jdbc) {
    try {
      RSAKey fresh = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString())
          .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).algorithm(com.nimbusds.jose.JWSAlgorithm.RS256).generate();
      // one key for now: a second row would be a rotation, which this does not do yet
      jdbc.update("INSERT INTO signing_key (kid, jwk) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM signing_key)",
          fresh.getKeyID(), fresh.toJSONString());
      String stored = jdbc.queryForObject("SELECT jwk FROM signing_key ORDER BY created DESC, kid LIMIT 1", String.class);
      return new JWKSet(RSAKey.parse(stored));
    } catch (JOSEException | ParseException e) {
      throw new IllegalStateException("the token signing key cannot be made or read", e);
    }
  }
}
