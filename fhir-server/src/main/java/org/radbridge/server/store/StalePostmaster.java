package org.radbridge.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what a server killed without shutting down (kill -9, OOM killer) leaves in the embedded
 * database's data directory. zonky starts PostgreSQL detached through {@code pg_ctl}, so the
 * postmaster outlives the JVM and keeps {@code postmaster.pid}; the next start's {@code pg_ctl}
 * then refuses the directory, and zonky (which ignores pg_ctl's exit code) waits its whole start-up
 * time on a port nobody opens. Run before zonky starts: a postmaster that is provably ours is shut
 * down, a {@code postmaster.pid} naming any other or no process is removed.
 */
final class StalePostmaster {
  private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);
  /** zonky's lock file in the data directory, held (fcntl) by the JVM whose database it is. */
  private static final String ZONKY_LOCK = "epg-lock";
  /** Fast shutdown (what {@code pg_ctl stop -m fast} sends) ends sessions and checkpoints. */
  private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);
  /** Immediate shutdown skips the checkpoint; the next start recovers from the WAL. */
  private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(10);

  private final Path dataDir;
  private final Path pidFile;

  private StalePostmaster(Path dataDir) {
    this.dataDir = dataDir;
    this.pidFile = dataDir.resolve("postmaster.pid");
  }

  /** Leaves {@code dataDir} free for a new postmaster, or fails saying why it cannot. */
  static void clear(Path dataDir) throws IOException {
    new StalePostmaster(dataDir.toAbsolutePath()).clear();
  }

  private void clear() throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    // a live server holds zonky's lock: its postmaster is not stale, whatever else is true
    try (FileChannel ch = FileChannel.open(dataDir.resolve(ZONKY_LOCK), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
      if (lock == null) {
        throw inUse();
      }
      clearUnlocked();
    } catch (OverlappingFileLockException e) {
      throw inUse();
    }
  }

  private IllegalStateException inUse() {
    return new IllegalStateException("The embedded PostgreSQL in " + dataDir
        + " belongs to another running server (it holds " + ZONKY_LOCK + "); stop that server first");
  }

  private void clearUnlocked() throws IOException {
    long pid = pidInFile();
    if (pid <= 0) {
      log.warn("Removing {}: it names no process id", pidFile);
      Files.deleteIfExists(pidFile);
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(p -> running(pid, p));
    if (process.isEmpty()) {
      log.warn("Removing {} of PostgreSQL process {}, which is no longer running", pidFile, pid);
      Files.deleteIfExists(pidFile);
      return;
    }
    Optional<List<String>> cmdline = commandLine(pid);
    if (cmdline.isEmpty()) {
      // cannot tell whose process it is (no /proc, or not allowed to look): never signal it
      log.warn("{} names running process {} whose command line cannot be read; leaving it alone", pidFile, pid);
      return;
    }
    if (!isPostmasterOfDataDir(pid, cmdline.get())) {
      log.warn("Removing {}: its process {} is not a PostgreSQL of this directory (the id was reused: {})",
          pidFile, pid, String.join(" ", cmdline.get()));
      Files.deleteIfExists(pidFile);
      return;
    }
    stop(pid, process.get());
  }

  private void stop(long pid, ProcessHandle process) throws IOException {
    long start = System.nanoTime();
    log.warn("PostgreSQL {} of {} outlived the server that started it; stopping it (fast shutdown)", pid, dataDir);
    signal(pid, "INT", process);
    if (!awaitExit(pid, process, FAST_SHUTDOWN)) {
      log.warn("PostgreSQL {} did not stop within {} s; immediate shutdown", pid, FAST_SHUTDOWN.toSeconds());
      signal(pid, "QUIT", process);
      if (!awaitExit(pid, process, IMMEDIATE_SHUTDOWN)) {
        throw new IllegalStateException("PostgreSQL " + pid + " of " + dataDir + " does not stop; stop it ("
            + "kill -QUIT " + pid + ") and start again");
      }
    }
    // a clean shutdown removes it; an immediate one may not
    Files.deleteIfExists(pidFile);
    log.warn("Stale PostgreSQL {} of {} stopped in {} ms", pid, dataDir, (System.nanoTime() - start) / 1_000_000);
  }

  private long pidInFile() throws IOException {
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException | NoSuchFileException e) {
      return -1;
    }
  }

  /**
   * A postmaster of this data directory: the binary is {@code postgres} and its {@code -D} names
   * this directory, or (a relative or absent {@code -D}) its working directory is it — a postmaster
   * changes into its data directory for its whole life.
   */
  private boolean isPostmasterOfDataDir(long pid, List<String> cmdline) {
    if (!Path.of(cmdline.get(0)).getFileName().toString().equals("postgres")) {
      return false;
    }
    Path self = realPath(dataDir);
    int d = cmdline.indexOf("-D");
    if (d >= 0 && d + 1 < cmdline.size() && Path.of(cmdline.get(d + 1)).isAbsolute()
        && self.equals(realPath(Path.of(cmdline.get(d + 1))))) {
      return true;
    }
    return self.equals(realPath(Path.of("/proc", Long.toString(pid), "cwd")));
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  private static Optional<List<String>> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String text = new String(raw, StandardCharsets.UTF_8);
      List<String> args = List.of(text.split("\0"));
      return args.isEmpty() || args.get(0).isEmpty() ? Optional.empty() : Optional.of(args);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Alive and not a zombie (a zombie has let go of the port, memory and files already). */
  private static boolean running(long pid, ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return process.isAlive();
    }
  }

  /** Java can send only SIGTERM/SIGKILL itself; kill(1) sends the signals PostgreSQL's shutdown modes use. */
  private static void signal(long pid, String signal, ProcessHandle process) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (kill.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && kill.exitValue() == 0) {
        return;
      }
      kill.destroyForcibly();
    } catch (IOException e) {
      // no kill(1) here: fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // SIGTERM is PostgreSQL's smart shutdown: it still ends, since the dead server's sessions are gone
    log.warn("kill -s {} {} failed; sending SIGTERM", signal, pid);
    process.destroy();
  }

  private static boolean awaitExit(long pid, ProcessHandle process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running(pid, process)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !running(pid, process);
      }
    }
    return true;
  }
}
