package org.radbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.LoggerFactory;

/**
 * A peer that sends without end and never reads what it is answered, for the write-timeout cases
 * of the hostile-input tests: {@code chunk} is written again and again on a thread of its own,
 * noting when a write last went through (the server was still reading then), while the test does
 * what it wants to see served meanwhile; returns once the server's {@link WriteWatchdog} has logged
 * the connection's cut (waiting at most {@code patience}: filling the server's buffers takes some
 * seconds on a busy machine), with when that was and how the writes ended.
 */
public final class WriteTimeoutWitness {
  private WriteTimeoutWitness() {}

  /** What the test does while the flood goes on. */
  public interface Meanwhile {
    void run() throws Exception;
  }

  /**
   * The watchdog's one log line about the connection; when it came after the flood began and after
   * the last of our writes that went through; the exception our writes ended with (null if they
   * all went through: the server never stopped reading).
   */
  public record Cut(String line, Duration afterStart, Duration afterLastRead, Throwable sendFailure) {}

  public static Cut flood(Socket socket, byte[] chunk, String peer, Meanwhile meanwhile, Duration patience)
      throws Exception {
    Logger watchdogLog = (Logger) LoggerFactory.getLogger(WriteWatchdog.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    watchdogLog.addAppender(logged);
    AtomicLong lastWrite = new AtomicLong();
    long start = System.currentTimeMillis();
    FutureTask<Throwable> sender = new FutureTask<>(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        for (long sent = 0; sent < 256L << 20; sent += chunk.length) { // 256 MB at most: more than any buffer holds
          out.write(chunk);
          lastWrite.set(System.currentTimeMillis());
        }
        return null;
      } catch (IOException closed) {
        return closed;
      }
    });
    Thread thread = new Thread(sender, "write-timeout-witness");
    thread.setDaemon(true);
    thread.start();
    List<ILoggingEvent> lines;
    try {
      meanwhile.run();
      Await.until("the write watchdog closing " + peer, patience, () -> !about(peer, logged).isEmpty());
      lines = about(peer, logged);
    } finally {
      watchdogLog.detachAppender(logged);
    }
    assertThat(lines).as("the watchdog's lines about " + peer).hasSize(1);
    long at = lines.get(0).getTimeStamp();
    Throwable failure = sender.get(patience.toMillis(), TimeUnit.MILLISECONDS);
    return new Cut(lines.get(0).getFormattedMessage(), Duration.ofMillis(at - start), Duration.ofMillis(at - lastWrite.get()),
        failure);
  }

  private static List<ILoggingEvent> about(String peer, ListAppender<ILoggingEvent> logged) {
    return List.copyOf(logged.list).stream().filter(e -> e.getFormattedMessage().startsWith(peer + " ")).toList();
  }
}
