package org.radbridge.server.listener;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Bounds how long a write to a peer may go without progress. A socket's read has a timeout, its
 * write has none: a peer that stops reading (a C-FIND SCU that never reads its answers, an MLLP
 * sender that never reads its ACKs, a receiver that stalls) blocks the writing thread forever once
 * the kernel's buffers are full, and with it a connection slot. Writes are marked as they start and
 * end — by {@link #watch(Socket, OutputStream, Duration, String)}, a stream that marks each of its
 * writes, or by hand through a {@link Watch}; one checker thread closes the socket of any write
 * that made no progress for longer than its bound, which makes the blocked write throw (its
 * thread then ends the connection as for any broken one: slot given back, temp files removed).
 * Each cut is logged once, naming the peer's address only.
 */
@Component
public class WriteWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteWatchdog.class);
  /** How often the checker looks: a write is cut at most this much after its bound. */
  static final Duration TICK = Duration.ofMillis(250);
  /** A large write is written in pieces of this size, each one progress. */
  static final int PIECE = 64 * 1024;

  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService checker;

  public WriteWatchdog() {
    checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "write-watchdog");
      t.setDaemon(true);
      return t;
    });
    checker.scheduleWithFixedDelay(this::check, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * {@code out} (the socket's output stream, or a stream over it) as a stream whose writes must
   * each make progress within {@code bound}; else {@code socket} is closed. {@code peer} names the
   * connection in the log (an address, never anything a peer sent). Forgotten once the socket or
   * the returned stream is closed.
   */
  public Watched watch(Socket socket, OutputStream out, Duration bound, String peer) {
    Watch w = new Watch(bound, peer, () -> closeNow(socket), socket::isClosed);
    watches.add(w);
    return new Watched(out, w);
  }

  /**
   * A watch marked by hand ({@link Watch#begin()} / {@link Watch#end()}) around calls that write
   * to a peer; {@code cut} runs when a marked stretch lasts longer than {@code bound}. Forgotten
   * when closed.
   */
  public Watch watch(Duration bound, String peer, Runnable cut) {
    Watch w = new Watch(bound, peer, cut, () -> false);
    watches.add(w);
    return w;
  }

  /** Closes at once, not waiting to send what is queued (the peer does not read it): a reset. */
  public static void closeNow(Socket socket) {
    try {
      // an SSLSocket's close would otherwise wait for the lock the blocked write holds, to send close_notify
      socket.setSoLinger(true, 0);
    } catch (IOException | RuntimeException ignored) {
      // closed already
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Connections being watched now (for tests). */
  int watching() {
    return watches.size();
  }

  private void check() {
    long now = System.nanoTime();
    for (Watch w : watches) {
      try {
        if (w.closed || w.gone.getAsBoolean()) {
          watches.remove(w);
        } else if (w.stalledFor(now) > w.bound.toNanos()) {
          watches.remove(w);
          w.cut = true;
          log.warn("{} closed: a write made no progress for {} (the peer stopped reading)", w.peer, seconds(w.bound));
          w.action.run();
        }
      } catch (RuntimeException e) {
        log.warn("Write watchdog: checking {} failed: {}", w.peer, e.toString());
      }
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  @Override
  @jakarta.annotation.PreDestroy
  public void close() {
    checker.shutdownNow();
  }

  /** One connection's writes: in progress since when, and how long they may make no progress. */
  public static final class Watch implements AutoCloseable {
    private final Duration bound;
    private final String peer;
    private final Runnable action;
    private final java.util.function.BooleanSupplier gone;
    /** Writes in progress now (several threads may write to one connection). */
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    /** When the writes in progress last made progress: the first began, or one ended. */
    private volatile long progress;
    private volatile boolean closed;
    private volatile boolean cut;

    private Watch(Duration bound, String peer, Runnable action, java.util.function.BooleanSupplier gone) {
      this.bound = bound;
      this.peer = peer;
      this.action = action;
      this.gone = gone;
    }

    /** A write begins. */
    public void begin() {
      if (active.getAndIncrement() == 0) {
        progress = System.nanoTime();
      }
    }

    /** A write ended (done or failed): progress. */
    public void end() {
      progress = System.nanoTime();
      active.decrementAndGet();
    }

    /** Whether the watchdog closed the connection: its failure is logged already. */
    public boolean wasCut() {
      return cut;
    }

    private long stalledFor(long now) {
      return active.get() > 0 ? now - progress : 0;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A stream whose every write (in pieces of {@link #PIECE}) and flush is watched. */
  public static final class Watched extends FilterOutputStream {
    private final Watch watch;

    private Watched(OutputStream out, Watch watch) {
      super(out);
      this.watch = watch;
    }

    /** Whether the watchdog closed the connection: its failure is logged already. */
    public boolean wasCut() {
      return watch.wasCut();
    }

    @Override
    public void write(int b) throws IOException {
      watch.begin();
      try {
        out.write(b);
      } catch (IOException e) {
        throw explained(e);
      } finally {
        watch.end();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      do {
        int n = Math.min(len, PIECE);
        watch.begin();
        try {
          out.write(b, off, n);
        } catch (IOException e) {
          throw explained(e);
        } finally {
          watch.end();
        }
        off += n;
        len -= n;
      } while (len > 0);
    }

    @Override
    public void flush() throws IOException {
      watch.begin();
      try {
        out.flush();
      } catch (IOException e) {
        throw explained(e);
      } finally {
        watch.end();
      }
    }

    @Override
    public void close() throws IOException {
      watch.close();
      super.close();
    }

    private IOException explained(IOException e) {
      if (!watch.wasCut()) {
        return e;
      }
      SocketException cut = new SocketException("closed: a write made no progress for " + seconds(watch.bound));
      cut.initCause(e);
      return cut;
    }
  }
}
