package org.radbridge.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a left-over postmaster.pid leads to when it names no PostgreSQL of the directory: the file
 * goes, the process it names is never touched. (A live postmaster of the directory is stopped:
 * CrashRestartTest.)
 */
class StalePostmasterTest {
  @TempDir
  Path dataDir;

  private Path pidFile(long pid) throws Exception {
    return Files.writeString(dataDir.resolve("postmaster.pid"), pid + "\n" + dataDir + "\n1700000000\n5432\n");
  }

  @Test
  void aDirectoryWithoutPostmasterPidIsLeftAsItIs() throws Exception {
    StalePostmaster.clear(dataDir);
    try (var files = Files.list(dataDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void thePidFileOfAProcessThatHasEndedIsRemoved() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    assertThat(ended.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Path pidFile = pidFile(ended.pid());
    StalePostmaster.clear(dataDir);
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void aLiveProcessThatIsNotPostgresIsNeverSignalledAndItsStalePidFileIsRemoved() throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      Path pidFile = pidFile(other.pid());
      StalePostmaster.clear(dataDir);
      assertThat(pidFile).doesNotExist();
      assertThat(other.isAlive()).isTrue();
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void aPidFileWithoutAProcessIdIsRemoved() throws Exception {
    Path pidFile = Files.writeString(dataDir.resolve("postmaster.pid"), "garbage\n");
    StalePostmaster.clear(dataDir);
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void aDirectoryWhoseServerStillRunsIsRefusedAndLeftAlone() throws Exception {
    Path pidFile = pidFile(ProcessHandle.current().pid());
    // the running server holds zonky's lock file
    try (FileChannel ch = FileChannel.open(dataDir.resolve("epg-lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
      assertThatThrownBy(() -> StalePostmaster.clear(dataDir)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("belongs to another running server");
    }
    assertThat(pidFile).exists();
  }
}
