package org.radbridge.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.radbridge.server.store.EmbeddedPostgresConfiguration.EmbeddedDatabase;

/**
 * The embedded PostgreSQL takes no connection without its password, which is kept rw------- in the
 * cluster directory: a cluster an earlier version left with trust authentication is converted on its
 * first start, restarts read the password, and a file open to others stops the start. One cluster
 * throughout (a new cluster goes the same way: EmbeddedDatabaseRestartTest and every test context).
 */
class EmbeddedPostgresPasswordTest {
  @TempDir
  Path dataDir;

  @Test
  void aTrustClusterIsConvertedAndAfterwardsEveryConnectionNeedsThePasswordOfTheOwnerOnlyFile() throws Exception {
    Path cluster = dataDir.resolve("postgres");
    Path file = cluster.resolve(EmbeddedPostgresPassword.FILE_NAME);

    // the cluster as RadBridge made it until now: zonky's initdb -A trust, and no password
    try (EmbeddedPostgres before = EmbeddedPostgres.builder().setDataDirectory(cluster)
        .setCleanDataDirectory(false).setServerConfig("listen_addresses", "127.0.0.1").start();
        Connection c = DriverManager.getConnection(before.getJdbcUrl("postgres", "postgres"));
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from before')");
    }
    assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).contains("trust");
    assertThat(file).doesNotExist();

    // its first start with this version converts it
    String password;
    try (EmbeddedDatabase db = EmbeddedPostgresConfiguration.start(cluster, 0, false)) {
      assertThat(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      password = Files.readString(file).strip();
      assertThat(password).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9_-]+");
      assertThat(db.password()).isEqualTo(password);
      assertEveryConnectionNeedsThePassword(cluster);
      assertRefusedWithout(db, password);
      assertThat(query(db, password, "SELECT v FROM kept")).isEqualTo("from before");
      // stored as a SCRAM verifier, not the password
      assertThat(query(db, password, "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'"))
          .startsWith("SCRAM-SHA-256$4096:").doesNotContain(password);
    }

    // a restart reads the password from the file
    try (EmbeddedDatabase db = EmbeddedPostgresConfiguration.start(cluster, 0, false)) {
      assertThat(db.password()).isEqualTo(password);
      assertThat(Files.readString(file).strip()).isEqualTo(password);
      assertRefusedWithout(db, password);
      assertThat(query(db, password, "SELECT v FROM kept")).isEqualTo("from before");
    }

    // a pg_hba.conf changed meanwhile is put back before PostgreSQL starts
    Files.writeString(cluster.resolve("pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
    try (EmbeddedDatabase db = EmbeddedPostgresConfiguration.start(cluster, 0, false)) {
      assertEveryConnectionNeedsThePassword(cluster);
      assertRefusedWithout(db, password);
      assertThat(query(db, password, "SELECT v FROM kept")).isEqualTo("from before");
    }

    // a file others may read: no start (and no PostgreSQL left running)
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> EmbeddedPostgresConfiguration.start(cluster, 0, false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining(file.toString())
        .hasMessageContaining("rw-r-----");
    assertThat(cluster.resolve("postmaster.pid")).doesNotExist();

    // no file (deleted, or lost): the cluster is stopped, so a new password is set
    Files.delete(file);
    try (EmbeddedDatabase db = EmbeddedPostgresConfiguration.start(cluster, 0, false)) {
      String renewed = Files.readString(file).strip();
      assertThat(renewed).isNotEqualTo(password).isEqualTo(db.password());
      assertThat(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertRefused(db, password);
      assertRefusedWithout(db, renewed);
      assertThat(query(db, renewed, "SELECT v FROM kept")).isEqualTo("from before");
    }
    try (var files = Files.list(cluster)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private static void assertEveryConnectionNeedsThePassword(Path cluster) throws Exception {
    String hba = Files.readString(cluster.resolve("pg_hba.conf"));
    assertThat(hba).isEqualTo(EmbeddedPostgresPassword.PG_HBA).doesNotContainIgnoringCase("trust");
    assertThat(hba.lines().filter(l -> !l.isBlank() && !l.startsWith("#")))
        .isNotEmpty().allMatch(l -> l.strip().endsWith(" scram-sha-256"));
  }

  /** No password, and a wrong one, are both refused. */
  private static void assertRefusedWithout(EmbeddedDatabase db, String password) {
    assertRefused(db, null);
    assertRefused(db, "not-" + password);
  }

  private static void assertRefused(EmbeddedDatabase db, String password) {
    assertThatThrownBy(() -> connect(db, password).close()).isInstanceOfSatisfying(PSQLException.class, e -> {
      if (password == null) {
        // the server asks for SCRAM authentication, and the driver has nothing to answer with
        assertThat(e.getMessage()).contains("SCRAM").contains("no password");
      } else {
        assertThat(e.getSQLState()).isEqualTo("28P01"); // invalid_password
        assertThat(e.getMessage()).contains("password authentication failed for user \"postgres\"");
      }
    });
  }

  private static Connection connect(EmbeddedDatabase db, String password) throws SQLException {
    Properties props = new Properties();
    if (password != null) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres?user=postgres",
        props);
  }

  private static String query(EmbeddedDatabase db, String password, String sql) throws SQLException {
    try (Connection c = connect(db, password); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
