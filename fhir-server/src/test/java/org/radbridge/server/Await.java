package org.radbridge.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition, never a fixed time: polls until it holds or the deadline passes. */
public final class Await {
  private Await() {}

  /** Returns as soon as {@code condition} holds; fails naming {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + timeout.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for: " + what, e);
      }
    }
  }

  /** Until something accepts TCP connections on 127.0.0.1:{@code port} (a test peer has started). */
  public static void listening(int port, Duration timeout) {
    until("a listener on port " + port, timeout, () -> {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }
}
