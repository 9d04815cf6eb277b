import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subscription benchmark against a running RadBridge server (run by subscription-run.sh):
 *  1. notification latency: 50 writes/s of Observations matching one rest-hook subscription
 *     (payload application/fhir+json, so each notification names its resource); latency = arrival
 *     at the local receiver − the moment the write's 201 arrived (the commit happened before it);
 *  2. write throughput with 0 and with 500 active subscriptions on the same type (distinct criteria,
 *     none matching the written resources): creates/s over 4 concurrent writers.
 *   java bench/SubscriptionBench.java http://127.0.0.1:PORT/fhir [seconds]
 */
public class SubscriptionBench {
  static final HttpClient HTTP = BenchSupport.http();

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    AtomicInteger hooks = new AtomicInteger();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", ex -> {
      long now = System.nanoTime();
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      arrived.putIfAbsent(path.substring(path.lastIndexOf('/') + 1), now);
      hooks.incrementAndGet();
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    java.util.concurrent.ExecutorService receiverThreads = Executors.newFixedThreadPool(4);
    receiver.setExecutor(receiverThreads);
    receiver.start();
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

    // warm the server up (JIT, connection pool, caches), then 2a. baseline write throughput, no subscriptions
    throughput(base, 20);
    double before = throughput(base, 20);
    // 1. latency at 50 writes/s
    post(base + "/Subscription", subscription("Observation?code=urn:bench|lat", hook, true));
    Thread.sleep(500);
    Map<String, Long> committed = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    int n = 50 * seconds;
    for (int i = 0; i < n; i++) {
      long due = start + i * 20_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      String id = post(base + "/Observation", observation("lat", i));
      committed.put(id, System.nanoTime());
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (arrived.size() < n && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    long[] lat = committed.entrySet().stream().filter(e -> arrived.containsKey(e.getKey()))
        .mapToLong(e -> arrived.get(e.getKey()) - e.getValue()).sorted().toArray();
    System.out.printf("notification latency at 50 writes/s for %d s: %d of %d delivered; %s%n", seconds, lat.length, n,
        BenchSupport.summary(lat, 1));
    // 2b. 500 active subscriptions on Observation, none matching
    for (int i = 0; i < 499; i++) {
      post(base + "/Subscription", subscription("Observation?code=urn:bench|s" + i, hook, false));
    }
    Thread.sleep(3000);
    double after = throughput(base, 20);
    System.out.printf("write throughput (Observation creates, 4 writers): %.0f/s with no subscriptions, %.0f/s with 500"
        + " active subscriptions: %+.1f %%%n", before, after, 100 * (after - before) / before);
    receiver.stop(0);
    receiverThreads.shutdown(); // its threads would keep the JVM (and subscription-run.sh) waiting
  }

  static double throughput(String base, int seconds) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int w = t;
      Thread th = new Thread(() -> {
        int i = 0;
        while (System.nanoTime() < end) {
          try {
            post(base + "/Observation", observation("none-" + w, i++));
            done.incrementAndGet();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }
      });
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    return done.get() / (double) seconds;
  }

  static String subscription(String criteria, String endpoint, boolean payload) {
    return "{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"bench\",\"criteria\":\"" + criteria
        + "\",\"channel\":{\"type\":\"rest-hook\",\"endpoint\":\"" + endpoint + "\""
        + (payload ? ",\"payload\":\"application/fhir+json\"" : "") + "}}";
  }

  static String observation(String code, int i) {
    return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"urn:bench\",\"code\":\""
        + code + "\"}]},\"valueInteger\":" + i + "}";
  }

  static String post(String url, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/fhir+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(r.statusCode() + " " + r.body());
    }
    String location = r.headers().firstValue("Location").orElseThrow();
    String id = location.replaceAll("/_history/.*$", "");
    return id.substring(id.lastIndexOf('/') + 1);
  }
}
