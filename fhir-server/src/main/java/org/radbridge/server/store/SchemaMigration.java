package org.radbridge.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Liquibase owns the schema; this only avoids paying for Liquibase (about a second of class loading
 * and lock handling) when the database already carries exactly these changelogs: the SHA-256 of
 * the changelog files is recorded after each migration and compared at start.
 */
@Configuration(proxyBeanMethods = false)
public class SchemaMigration {
  private static final String CHANGELOGS = "classpath*:db/changelog/*";

  @Bean
  public SpringLiquibase liquibase(DataSource dataSource,
      @Value("${spring.liquibase.change-log:classpath:db/changelog/db.changelog-master.yaml}") String changeLog)
      throws IOException {
    String hash = changelogHash();
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    boolean current = recordedHash(jdbc).equals(hash);
    SpringLiquibase liquibase = new SpringLiquibase() {
      @Override
      public void afterPropertiesSet() throws liquibase.exception.LiquibaseException {
        if (current) {
          return;
        }
        super.afterPropertiesSet();
        jdbc.execute("CREATE TABLE IF NOT EXISTS schema_fingerprint (id int PRIMARY KEY, changelog_sha256 char(64) NOT NULL)");
        jdbc.update("INSERT INTO schema_fingerprint (id, changelog_sha256) VALUES (1, ?)"
            + " ON CONFLICT (id) DO UPDATE SET changelog_sha256 = EXCLUDED.changelog_sha256", hash);
      }
    };
    liquibase.setDataSource(dataSource);
    liquibase.setChangeLog(changeLog);
    return liquibase;
  }

  private static String recordedHash(JdbcTemplate jdbc) {
    try {
      return jdbc.queryForObject("SELECT changelog_sha256 FROM schema_fingerprint WHERE id = 1", String.class);
    } catch (RuntimeException e) {
      return ""; // a new database, or one migrated before the fingerprint existed
    }
  }

  static String changelogHash() throws IOException {
    Resource[] files = new PathMatchingResourcePatternResolver().getResources(CHANGELOGS);
    Arrays.sort(files, Comparator.comparing(Resource::getFilename));
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Resource f : files) {
        md.update(f.getFilename().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (InputStream in = f.getInputStream()) {
          md.update(in.readAllBytes());
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
