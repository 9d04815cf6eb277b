package org.radbridge.server.outbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP receiver on 127.0.0.1 that records what it got and can fail on demand. */
final class TestReceiver implements AutoCloseable {
  private final HttpServer server;
  final List<String> received = new ArrayList<>();
  /** Requests still to be answered 500 before the receiver accepts again (negative: fail forever). */
  final AtomicInteger failuresLeft = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();

  TestReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.incrementAndGet();
      int left = failuresLeft.get();
      boolean fail = left < 0 || (left > 0 && failuresLeft.getAndDecrement() > 0);
      if (!fail) {
        synchronized (received) {
          received.add(body);
        }
      }
      byte[] answer = (fail ? "receiver down" : "ok").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(fail ? 500 : 200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<String> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
