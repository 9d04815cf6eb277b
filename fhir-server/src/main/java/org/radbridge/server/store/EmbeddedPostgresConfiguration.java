package org.radbridge.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code radbridge.data-dir} and survives restarts.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
public class EmbeddedPostgresConfiguration {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

  /** Owns the PostgreSQL process; closing it stops the server (and removes an ephemeral directory). */
  public static final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final boolean ephemeral;

    EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, boolean ephemeral) {
      this.postgres = postgres;
      this.dataDir = dataDir;
      this.ephemeral = ephemeral;
    }

    public String jdbcUrl() {
      return postgres.getJdbcUrl("postgres", "postgres");
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
    Files.createDirectories(dataDir);
    if (!ephemeral) {
      // a server killed with kill -9 leaves its PostgreSQL running on this directory
      StalePostmaster.clear(dataDir);
    }
    long start = System.nanoTime();
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(props.getEmbeddedDb().getPort())
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("listen_addresses", "127.0.0.1")
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
    log.info("Embedded PostgreSQL ready on port {} with data in {} ({} ms)",
        pg.getPort(), dataDir, (System.nanoTime() - start) / 1_000_000);
    return new EmbeddedDatabase(pg, dataDir, ephemeral);
  }

  @Bean
  public DataSource dataSource(EmbeddedDatabase db, RadBridgeProperties props) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(db.jdbcUrl());
    cfg.setUsername("postgres");
    cfg.setMaximumPoolSize(props.getEmbeddedDb().getPoolSize());
    cfg.setPoolName("radbridge-embedded");
    cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new HikariDataSource(cfg);
  }
}
