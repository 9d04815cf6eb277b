import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write throughput of the network's workflow resources, each claiming its profile: every client
 * posts ServiceRequest, ImagingStudy, DiagnosticReport in turn (new accession number and Study
 * Instance UID each time) for --seconds after --warmup seconds, at each --clients count.
 *   java bench/ValidationBench.java --base http://127.0.0.1:8080/fhir --examples profiles/src/main/resources/radbridge/examples
 */
public class ValidationBench {
  static final String[] TYPES = {"ServiceRequest", "ImagingStudy", "DiagnosticReport"};

  public static void main(String[] args) throws Exception {
    String base = "http://127.0.0.1:8080/fhir";
    Path examples = Path.of("profiles/src/main/resources/radbridge/examples");
    int seconds = 20;
    int warmup = 5;
    int[] clients = {1, 4};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--base" -> base = args[++i];
        case "--examples" -> examples = Path.of(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String[] bodies = {
        Files.readString(examples.resolve("ServiceRequest-rb-example-order.json")).replace("\"id\": \"rb-example-order\",", ""),
        Files.readString(examples.resolve("ImagingStudy-rb-example-study.json")).replace("\"id\": \"rb-example-study\",", ""),
        Files.readString(examples.resolve("DiagnosticReport-rb-example-report.json")).replace("\"id\": \"rb-example-report\",", "")};
    HttpClient http = BenchSupport.http();
    System.out.printf("%-8s %-17s %8s %9s %8s %8s %7s%n", "clients", "resource", "writes", "writes/s", "p50 ms", "p99 ms", "errors");
    for (int c : clients) {
      run(http, base, bodies, c, warmup, false);
      run(http, base, bodies, c, seconds, true);
    }
  }

  static void run(HttpClient http, String base, String[] bodies, int clients, int seconds, boolean report) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<List<List<Long>>> lat = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<List<Long>> mine = new ArrayList<>();
      for (int t = 0; t < TYPES.length; t++) {
        mine.add(new ArrayList<>());
      }
      lat.add(mine);
      futures.add(pool.submit(() -> {
        while (System.nanoTime() < end) {
          String n = UUID.randomUUID().toString();
          long uid = Math.abs(n.hashCode()) + 1L;
          for (int t = 0; t < TYPES.length; t++) {
            String body = bodies[t].replace("A2026-000451", "B-" + n)
                .replace("1.2.826.0.1.3680043.8.498.10472312345", "1.2.826.0.1.3680043.8.498.9" + uid);
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/" + TYPES[t]))
                .header("Content-Type", "application/fhir+json").header("Prefer", "return=minimal")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long s = System.nanoTime();
            try {
              HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 201) {
                if (errors.incrementAndGet() <= 3) {
                  System.err.println(TYPES[t] + " -> " + r.statusCode() + " " + r.body());
                }
                continue;
              }
            } catch (Exception e) {
              errors.incrementAndGet();
              continue;
            }
            mine.get(t).add(System.nanoTime() - s);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    if (!report) {
      return;
    }
    long total = 0;
    for (int t = 0; t < TYPES.length; t++) {
      List<Long> all = new ArrayList<>();
      for (List<List<Long>> mine : lat) {
        all.addAll(mine.get(t));
      }
      long[] nanos = all.stream().mapToLong(Long::longValue).toArray();
      total += all.size();
      System.out.printf("%-8d %-17s %8d %9.1f %8.2f %8.2f %7s%n", clients, TYPES[t], all.size(), all.size() / (double) seconds,
          BenchSupport.percentileMs(nanos, 0.50), BenchSupport.percentileMs(nanos, 0.99), t == 0 ? String.valueOf(errors.get()) : "");
    }
    System.out.printf("%-8d %-17s %8d %9.1f%n", clients, "all", total, total / (double) seconds);
  }
}
