package org.radbridge.server.store;

import java.security.SecureRandom;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Secrets shared by every node: 32 random bytes per purpose, created once in the database by
 * whichever node asks first (an INSERT that a concurrent one loses harmlessly), read by all.
 */
@Component
public class ServerSecrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final JdbcTemplate jdbc;

  public ServerSecrets(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public byte[] secret(String purpose) {
    byte[] fresh = new byte[32];
    RANDOM.nextBytes(fresh);
    jdbc.update("INSERT INTO server_secret (purpose, secret) VALUES (?, ?) ON CONFLICT (purpose) DO NOTHING",
        purpose, fresh);
    return jdbc.queryForObject("SELECT secret FROM server_secret WHERE purpose = ?", byte[].class, purpose);
  }
}
