package org.radbridge.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.radbridge.server.RadBridgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.FileSystemUtils;

/**
 * Starts a real PostgreSQL (zonky's packaged binaries) when no {@code spring.datasource.url} is
 * configured, so a fresh machine runs with nothing to set up. Its data directory lives under
 * {@code radbridge.data-dir} and survives restarts. Every connection to it needs the superuser's
 * password, which is kept in that directory ({@link EmbeddedPostgresPassword}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

  /** Owns the PostgreSQL process; closing it stops the server (and removes an ephemeral directory). */
  public static final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final String password;
    private final boolean ephemeral;

    EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, String password, boolean ephemeral) {
      this.postgres = postgres;
      this.dataDir = dataDir;
      this.password = password;
      this.ephemeral = ephemeral;
    }

    public String jdbcUrl() {
      return postgres.getJdbcUrl(EmbeddedPostgresPassword.SUPERUSER, "postgres");
    }

    String password() {
      return password;
    }

    int port() {
      return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
      postgres.close();
      if (ephemeral) {
        FileSystemUtils.deleteRecursively(dataDir);
      }
    }
  }

  @Bean(destroyMethod = "close")
  public EmbeddedDatabase embeddedDatabase(RadBridgeProperties props) throws IOException {
    boolean ephemeral = props.getEmbeddedDb().isEphemeral();
    Path dataDir = ephemeral
        ? Files.createTempDirectory("radbridge-pg")
        : Path.of(props.getDataDir(), "postgres").toAbsolutePath();
    return start(dataDir, props.getEmbeddedDb().getPort(), ephemeral);
  }

  /**
   * Starts PostgreSQL on {@code dataDir} (the cluster directory; made by initdb when it has none),
   * whose every connection needs the password of {@link EmbeddedPostgresPassword}.
   */
  static EmbeddedDatabase start(Path dataDir, int port, boolean ephemeral) throws IOException {
    Files.createDirectories(dataDir);
    if (!ephemeral) {
      // a server killed with kill -9 leaves its PostgreSQL running on this directory
      StalePostmaster.clear(dataDir);
    }
    EmbeddedPostgresPassword password = EmbeddedPostgresPassword.of(dataDir);
    long start = System.nanoTime();
    EmbeddedPostgres pg;
    try {
      pg = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setPGStartupWait(Duration.ofSeconds(60))
          // after initdb (always -A trust), before the postmaster starts: the password on the role
          // and in pg_hba.conf for every connection
          .setDataDirectoryCustomizer(password)
          // zonky's readiness check connects as postgres
          .setConnectConfig("password", password.password())
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("password_encryption", "scram-sha-256")
          // zonky's test-oriented defaults turn durability off (fsync=off, synchronous_commit=off):
          // a committed write must survive a power cut, so both go back on
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          // a parallel plan for a 20-row page costs many times the serial one on a small machine
          .setServerConfig("max_parallel_workers_per_gather", "0")
          // keep PostgreSQL's own log (zonky stops reading its output after start-up)
          .setServerConfig("logging_collector", "on")
          .setServerConfig("max_connections", "100")
          .setServerConfig("shared_buffers", "256MB")
          .setServerConfig("jit", "off")
          .start();
    } catch (IOException e) {
      if (authenticationFailed(e)) {
        throw new IllegalStateException("The embedded PostgreSQL in " + dataDir + " refuses the password in "
            + password.file() + "; remove that file, and the next start sets a new password", e);
      }
      throw e;
    }
    log.info("Embedded PostgreSQL ready on port {} with data in {} ({} ms)",
        pg.getPort(), dataDir, (System.nanoTime() - start) / 1_000_000);
    return new EmbeddedDatabase(pg, dataDir, password.password(), ephemeral);
  }

  /** zonky gives up waiting for PostgreSQL with the last error of its connection attempts as cause. */
  private static boolean authenticationFailed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  @Bean
  public DataSource dataSource(EmbeddedDatabase db, RadBridgeProperties props) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(db.jdbcUrl());
    cfg.setUsername(EmbeddedPostgresPassword.SUPERUSER);
    cfg.setPassword(db.password());
    cfg.setMaximumPoolSize(props.getEmbeddedDb().getPoolSize());
    cfg.setPoolName("radbridge-embedded");
    cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new HikariDataSource(cfg);
  }
}
