package org.radbridge.server.subscription;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP receiver for rest-hook notifications: records each request; can refuse the next N with 500. */
public final class HookReceiver implements AutoCloseable {
  public record Hit(String method, String path, com.sun.net.httpserver.Headers headers, String body, long receivedNanos) {}

  private final HttpServer server;
  final List<Hit> hits = new CopyOnWriteArrayList<>();
  final AtomicInteger failNext = new AtomicInteger();

  public HookReceiver() throws IOException {
    this(0);
  }

  HookReceiver(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean fail = failNext.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
      if (!fail) {
        hits.add(new Hit(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders(), body, System.nanoTime()));
      }
      ex.sendResponseHeaders(fail ? 500 : 200, -1);
      ex.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  int port() {
    return server.getAddress().getPort();
  }

  public List<Hit> await(int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (hits.size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    return List.copyOf(hits);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
