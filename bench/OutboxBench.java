import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outbox benchmark against a running RadBridge server's database (run by outbox-run.sh):
 *  1. what an outbox row adds to a write: the INSERT's latency inside a transaction (p50/p99);
 *  2. delivery throughput: N rows over K ordering keys written at once, all addressed (kind
 *     http-post) to a receiver in this process; deliveries/s from the first to the last arrival.
 *   java -cp postgresql.jar bench/OutboxBench.java 'jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres&password=PASSWORD' [rows] [keys]
 *   (PASSWORD: the embedded database's, in <data-dir>/postgres/radbridge-password)
 */
public class OutboxBench {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    AtomicInteger received = new AtomicInteger();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      long now = System.nanoTime();
      first.compareAndSet(0, now);
      last.set(now);
      received.incrementAndGet();
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.start();
    String dest = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/bench";

    try (Connection c = DriverManager.getConnection(url)) {
      // 1. the cost an outbox row adds to a write transaction
      c.setAutoCommit(false);
      long[] nanos = new long[3000];
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (kind, destination, ordering_key, payload,"
          + " content_type, state) VALUES ('http-post', ?, ?, ?, 'application/fhir+json', 'discarded')")) {
        for (int i = 0; i < nanos.length + 500; i++) {
          long s = System.nanoTime();
          ps.setString(1, dest);
          ps.setString(2, "cost-" + (i % 50));
          ps.setString(3, "{\"resourceType\":\"Bundle\",\"type\":\"history\",\"n\":" + i + "}");
          ps.executeUpdate();
          long t = System.nanoTime() - s;
          c.commit();
          if (i >= 500) {
            nanos[i - 500] = t;
          }
        }
      }
      Arrays.sort(nanos);
      System.out.printf("outbox INSERT inside a write transaction (discarded rows, not delivered): %s%n",
          BenchSupport.summary(nanos, 3));

      // 2. delivery throughput
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (kind, destination, ordering_key, payload,"
          + " content_type) SELECT 'http-post', ?, 'bench-' || (i % ?), 'message ' || i, 'text/plain'"
          + " FROM generate_series(1, ?) i")) {
        ps.setString(1, dest);
        ps.setInt(2, keys);
        ps.setInt(3, rows);
        ps.executeUpdate();
        c.commit();
      }
    }
    long start = System.nanoTime();
    while (received.get() < rows && System.nanoTime() - start < 300_000_000_000L) {
      Thread.sleep(50);
    }
    double seconds = (last.get() - first.get()) / 1e9;
    System.out.printf("delivered %d of %d rows over %d keys in %.2f s (first to last arrival): %.0f deliveries/s%n",
        received.get(), rows, keys, seconds, received.get() / seconds);
    receiver.stop(0);
    System.exit(0); // the receiver's executor threads would keep the JVM alive
  }
}
