package org.radbridge.server.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;

/**
 * The write watchdog on plain sockets, no server: a write to a peer that does not read is cut at
 * its bound, one to a peer that reads slowly is not however long it takes in all, and a watch
 * marked by hand runs its cut once. Both sides' buffers are made small, so that writes block at
 * once.
 */
class WriteWatchdogTest {
  private final WriteWatchdog watchdog = new WriteWatchdog();

  @AfterEach
  void stop() {
    watchdog.close();
  }

  @Test
  void aWriteToAPeerThatDoesNotReadIsCutAtTheBound() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket peer = connect(server);
        Socket socket = server.accept()) {
      socket.setSendBufferSize(8 * 1024);
      WriteWatchdog.Watched out = watchdog.watch(socket, socket.getOutputStream(), Duration.ofMillis(500), "test peer");
      long start = System.nanoTime();
      Throwable failure = catchThrowable(() -> out.write(new byte[8 * 1024 * 1024]));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(failure).isInstanceOf(SocketException.class).hasMessage("closed: a write made no progress for 500 ms");
      assertThat(out.wasCut()).isTrue();
      assertThat(socket.isClosed()).isTrue();
      assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
      Await.until("the watch forgotten", Duration.ofSeconds(2), () -> watchdog.watching() == 0);
    }
  }

  @Test
  void aPeerThatReadsSlowlyIsNotCutHoweverLongTheWholeWriteTakes() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket peer = connect(server);
        Socket socket = server.accept()) {
      socket.setSendBufferSize(8 * 1024);
      // 32 KB every 50 ms: each 64 KB piece takes ~100 ms, the whole megabyte ~1.6 s, over three times the bound
      CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
        long total = 0;
        byte[] buf = new byte[32 * 1024];
        try (InputStream in = peer.getInputStream()) {
          while (true) {
            int n = in.readNBytes(buf, 0, buf.length);
            total += n;
            if (n < buf.length) {
              return total;
            }
            Thread.sleep(50);
          }
        } catch (Exception e) {
          return -1L;
        }
      });
      WriteWatchdog.Watched out = watchdog.watch(socket, socket.getOutputStream(), Duration.ofMillis(500), "test peer");
      long start = System.nanoTime();
      out.write(new byte[1024 * 1024]);
      out.flush();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the write took longer than its bound in all")
          .isGreaterThan(Duration.ofMillis(500));
      socket.shutdownOutput();
      assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(1024 * 1024);
      assertThat(out.wasCut()).isFalse();
      out.close();
      Await.until("the watch forgotten", Duration.ofSeconds(2), () -> watchdog.watching() == 0);
    }
  }

  @Test
  void aWatchMarkedByHandRunsItsCutOnceWhenAStretchOutlastsTheBound() {
    AtomicInteger cuts = new AtomicInteger();
    try (WriteWatchdog.Watch idle = watchdog.watch(Duration.ofMillis(300), "idle", cuts::incrementAndGet);
        WriteWatchdog.Watch stuck = watchdog.watch(Duration.ofMillis(300), "stuck", cuts::incrementAndGet)) {
      long start = System.nanoTime();
      stuck.begin();
      Await.until("the cut", Duration.ofSeconds(3), () -> cuts.get() > 0);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      // no longer watched, so never cut again; the idle one (no write in progress) is still watched, not cut
      assertThat(watchdog.watching()).isEqualTo(1);
      assertThat(cuts.get()).isEqualTo(1);
      assertThat(idle.wasCut()).isFalse();
      stuck.end();
    }
    Await.until("the idle watch forgotten once closed", Duration.ofSeconds(2), () -> watchdog.watching() == 0);
  }

  /** A peer with a small receive buffer (fixed: no autotuning) connected to {@code server}. */
  private static Socket connect(ServerSocket server) throws java.io.IOException {
    Socket peer = new Socket();
    peer.setReceiveBufferSize(16 * 1024);
    peer.connect(server.getLocalSocketAddress());
    return peer;
  }
}
