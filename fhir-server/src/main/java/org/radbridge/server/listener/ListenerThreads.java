package org.radbridge.server.listener;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of a listener's connections: at most as many as it has connection slots, each named
 * after the listener and its port (two nodes in one JVM, as in tests, are told apart), gone two
 * seconds after their connection ended.
 */
public final class ListenerThreads {
  private ListenerThreads() {}

  /**
   * A pool of at most {@code max} daemon threads named {@code prefix-1}, {@code prefix-2}, … with
   * at most {@code waiting} tasks queued; beyond, {@code execute} throws RejectedExecutionException.
   */
  public static ExecutorService bounded(String prefix, int max, int waiting) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(waiting), r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
