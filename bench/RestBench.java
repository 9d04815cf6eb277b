import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-run REST benchmark of the RadBridge FHIR server: create, read and update of Patient,
 * ServiceRequest, ImagingStudy and DiagnosticReport at several client counts. JDK only, so it runs
 * with the source launcher: {@code java bench/RestBench.java --base http://127.0.0.1:8080/fhir}.
 * See bench/README.md.
 */
public class RestBench {
  // Creation order matters: each kind references resources of the kinds before it.
  static final List<String> TYPES = List.of("Patient", "ServiceRequest", "ImagingStudy", "DiagnosticReport");
  static final List<String> PHASES = List.of("create", "read", "update");
  static final String FHIR_JSON = "application/fhir+json";

  /**
   * A created resource and what its body was built from, so an update can rebuild the same
   * resource (same references, same DICOM UIDs) and change only one field.
   */
  record Entry(String id, String patient, String order, String study, long seed) {}

  /** One request to send, the status that counts as success, and what to do with a success. */
  record Call(HttpRequest request, int expect, Handler onSuccess) {}

  interface Handler {
    /** Returns false when a response with the expected status is still unusable. */
    boolean accept(HttpResponse<String> response);
  }

  record Result(String phase, String type, int clients, int requests, int errors, double seconds, long[] nanos) {
    double throughput() { return requests / seconds; }
    double percentileMs(double p) {
      return BenchSupport.percentileMs(nanos, p);
    }
  }

  final String base;
  final int warmup;
  final int requests;
  final List<Integer> clients;
  final HttpClient http;
  final Map<String, List<Entry>> pools = new HashMap<>();
  // Per phase and type, so warmup and measured runs keep walking through fresh ids and seeds.
  final Map<String, AtomicInteger> sequences = new HashMap<>();
  final List<Result> results = new ArrayList<>();

  RestBench(String base, int warmup, int requests, List<Integer> clients) {
    this.base = base.replaceAll("/+$", "");
    this.warmup = warmup;
    this.requests = requests;
    this.clients = clients;
    // HTTP/1.1: the default (HTTP/2) would send an h2c upgrade offer with every new connection.
    this.http = BenchSupport.http();
    for (String type : TYPES) {
      pools.put(type, Collections.synchronizedList(new ArrayList<>()));
    }
  }

  public static void main(String[] args) throws Exception {
    String base = "http://127.0.0.1:8080/fhir";
    boolean quick = false;
    Integer requests = null;
    Integer warmup = null;
    Integer serverWarmup = null;
    List<Integer> clients = List.of(1, 8);
    Set<String> phases = new LinkedHashSet<>(PHASES);
    Path ids = null;
    // Later options win, so a wrapper script can append overrides to the user's arguments.
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--base" -> base = value(args, ++i, a);
        case "--quick" -> quick = true;
        case "--requests" -> requests = Integer.parseInt(value(args, ++i, a));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--server-warmup" -> serverWarmup = Integer.parseInt(value(args, ++i, a));
        case "--clients" -> clients = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim)
            .map(Integer::valueOf).toList();
        case "--phases" -> phases = new LinkedHashSet<>(Arrays.asList(value(args, ++i, a).split(",")));
        case "--ids" -> ids = Path.of(value(args, ++i, a));
        case "-h", "--help" -> { usage(); return; }
        default -> { System.err.println("unknown option " + a); usage(); System.exit(2); }
      }
    }
    if (!PHASES.containsAll(phases) || clients.stream().anyMatch(c -> c < 1)
        || (requests != null && requests < 1) || (warmup != null && warmup < 0)
        || (serverWarmup != null && serverWarmup < 0)) {
      usage();
      System.exit(2);
    }
    if (!phases.contains("create") && ids == null) {
      System.err.println("without the create phase, --ids FILE must name the ids a previous run saved");
      System.exit(2);
    }
    RestBench bench = new RestBench(base, warmup != null ? warmup : quick ? 20 : 200,
        requests != null ? requests : quick ? 200 : 2000, clients);
    System.out.printf("RestBench %s against %s, %d CPUs, Java %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), bench.base,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    long started = System.nanoTime();
    if (!phases.contains("create")) {
      bench.loadIds(ids);
    }
    // A fresh server JVM answers its first thousands of requests with code the JIT has not compiled
    // yet; without this the first measured phase (create Patient) would pay for all of that.
    int jitWarmup = serverWarmup != null ? serverWarmup : quick ? 100 : 1000;
    if (jitWarmup > 0) {
      bench.warmUpServer(phases, jitWarmup);
    }
    for (String phase : PHASES) {
      if (phases.contains(phase)) {
        for (String type : TYPES) {
          bench.phase(phase, type);
        }
      }
    }
    if (phases.contains("create") && ids != null) {
      bench.saveIds(ids);
    }
    bench.printTables();
    // The client shares the CPUs with the server; this says how big its share was.
    System.out.printf("RestBench used %.0f s of CPU in %.0f s%n",
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis() / 1e3,
        (System.nanoTime() - started) / 1e9);
    int errors = bench.results.stream().mapToInt(Result::errors).sum();
    if (errors > 0) {
      System.err.println(errors + " requests failed");
      System.exit(1);
    }
  }

  static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  static void usage() {
    System.err.println("""
        usage: java bench/RestBench.java [options]
          --base URL        FHIR base URL (default http://127.0.0.1:8080/fhir)
          --clients LIST    concurrent clients per phase, comma separated (default 1,8)
          --requests N      measured requests per phase with 1 client; more clients send 2N (default 2000)
          --warmup N        unmeasured requests before each measured run (default 200)
          --server-warmup N unmeasured requests per phase and kind before anything is measured,
                            so the server's JIT has compiled its hot paths (default 1000, 0: none)
          --quick           small run: 200 requests, 20 warmup, 100 server warmup
          --phases LIST     subset of create,read,update (default all)
          --ids FILE        save the created ids there; without the create phase, read them from there""");
  }

  // ---- running a phase ----

  /** Unmeasured calls of every selected phase and kind, at the highest client count. */
  void warmUpServer(Set<String> phases, int n) throws InterruptedException {
    long start = System.nanoTime();
    for (String phase : PHASES) {
      for (String type : TYPES) {
        if (phases.contains(phase) && canRun(phase, type)) {
          run(phase, type, calls(phase, type), Collections.max(clients), n);
        }
      }
    }
    System.out.printf("  server warmup: %d requests per phase and kind in %.1f s%n", n,
        (System.nanoTime() - start) / 1e9);
  }

  /** Runs one phase for one type at every client count: warmup first, then the measured run. */
  void phase(String phase, String type) throws InterruptedException {
    if (!canRun(phase, type)) {
      return;
    }
    IntFunction<Call> next = calls(phase, type);
    for (int c : clients) {
      // More clients get more requests so the run is long enough to measure throughput.
      int n = c == 1 ? requests : 2 * requests;
      run(phase, type, next, c, warmup);
      Result r = run(phase, type, next, c, n);
      results.add(r);
      System.out.printf("  %-6s %-16s clients=%d  %8.1f req/s  p50 %.2f ms  p99 %.2f ms  errors %d%n",
          phase, type, c, r.throughput(), r.percentileMs(0.50), r.percentileMs(0.99), r.errors);
    }
  }

  /** Creates need the kind they reference (the one before in TYPES); reads and updates their own. */
  boolean canRun(String phase, String type) {
    int index = TYPES.indexOf(type);
    String needs = !phase.equals("create") ? type : index > 0 ? TYPES.get(index - 1) : null;
    if (needs != null && pools.get(needs).isEmpty()) {
      System.err.printf("skipping %s %s: no %s was created%n", phase, type, needs);
      return false;
    }
    return true;
  }

  /** The calls of one phase and type; the sequence goes on across warmups and measured runs. */
  IntFunction<Call> calls(String phase, String type) {
    AtomicInteger seq = sequences.computeIfAbsent(phase + " " + type, k -> new AtomicInteger());
    return i -> switch (phase) {
      case "create" -> create(type, seq.getAndIncrement());
      case "read" -> read(type, seq.getAndIncrement());
      default -> update(type, seq.getAndIncrement());
    };
  }

  /** Sends n calls from `clients` threads, each thread sending its next call when the last one answered. */
  Result run(String phase, String type, IntFunction<Call> next, int clients, int n) throws InterruptedException {
    long[] nanos = new long[n];
    AtomicInteger taken = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    Runnable client = () -> {
      for (int i; (i = taken.getAndIncrement()) < n; ) {
        Call call = next.apply(i);
        long start = System.nanoTime();
        String failure = null;
        try {
          HttpResponse<String> response = http.send(call.request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() != call.expect) {
            failure = response.statusCode() + " " + abbreviate(response.body());
          } else if (!call.onSuccess.accept(response)) {
            failure = response.statusCode() + " without a usable id: " + abbreviate(response.body());
          }
        } catch (IOException e) {
          failure = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        nanos[i] = System.nanoTime() - start;
        if (failure != null && errors.incrementAndGet() <= 3) { // a few samples show what went wrong
          System.err.printf("%s %s -> %s%n", call.request.method(), call.request.uri(), failure);
        }
      }
    };
    Thread[] threads = new Thread[clients];
    long start = System.nanoTime();
    for (int t = 0; t < clients; t++) {
      threads[t] = new Thread(client, "client-" + t);
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(phase, type, clients, n, errors.get(), seconds, nanos);
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  // ---- the three kinds of calls ----

  Call create(String type, int seq) {
    List<Entry> pool = pools.get(type);
    // The new resource references one of the kind before it and, through that one, the same patient
    // and order, so every DiagnosticReport -> ImagingStudy -> ServiceRequest -> Patient chain agrees.
    Entry links = switch (type) {
      case "Patient" -> new Entry(null, null, null, null, 0);
      case "ServiceRequest" -> new Entry(null, pick("Patient", seq).id, null, null, 0);
      case "ImagingStudy" -> {
        Entry order = pick("ServiceRequest", seq);
        yield new Entry(null, order.patient, order.id, null, 0);
      }
      default -> {
        Entry study = pick("ImagingStudy", seq);
        yield new Entry(null, study.patient, study.order, study.id, 0);
      }
    };
    long seed = ThreadLocalRandom.current().nextLong();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/" + type))
        .header("Content-Type", FHIR_JSON).header("Accept", FHIR_JSON)
        .POST(HttpRequest.BodyPublishers.ofString(body(type, links, seed, null, 0))).build();
    return new Call(request, 201, response -> {
      String id = createdId(type, response);
      if (id == null) {
        return false;
      }
      pool.add(new Entry(id, links.patient, links.order, links.study, seed));
      return true;
    });
  }

  Call read(String type, int seq) {
    Entry e = pick(type, seq);
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/" + type + "/" + e.id))
        .header("Accept", FHIR_JSON).GET().build();
    return new Call(request, 200, response -> true);
  }

  Call update(String type, int seq) {
    // Walking the pool in order keeps two clients from updating the same resource at once.
    Entry e = pick(type, seq);
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/" + type + "/" + e.id))
        .header("Content-Type", FHIR_JSON).header("Accept", FHIR_JSON)
        // revision seq + 1 differs from every earlier body, so each PUT really writes a new version
        .PUT(HttpRequest.BodyPublishers.ofString(body(type, e, e.seed, e.id, seq + 1))).build();
    return new Call(request, 200, response -> true);
  }

  Entry pick(String type, int seq) {
    List<Entry> pool = pools.get(type);
    synchronized (pool) {
      return pool.get(seq % pool.size());
    }
  }

  static final Pattern LOCATION_ID = Pattern.compile("/([^/]+)/([^/]+)(?:/_history/[^/]+)?$");
  static final Pattern BODY_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  /** The new id from the Location header ([base]/Type/id/_history/n), or else from the body. */
  static String createdId(String type, HttpResponse<String> response) {
    String location = response.headers().firstValue("Location").orElse("");
    Matcher m = LOCATION_ID.matcher(location);
    if (m.find() && m.group(1).equals(type)) {
      return m.group(2);
    }
    // the server writes resourceType first and id second, so the first "id" is the resource's
    m = BODY_ID.matcher(response.body());
    return m.find() ? m.group(1) : null;
  }

  // ---- ids file, so a later run (after a restart) can read what this one created ----

  void saveIds(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String type : TYPES) {
      for (Entry e : pools.get(type)) {
        lines.add(String.join("\t", type, e.id, String.valueOf(e.patient), String.valueOf(e.order),
            String.valueOf(e.study), Long.toString(e.seed)));
      }
    }
    Files.write(file, lines);
  }

  void loadIds(Path file) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split("\t");
      pools.get(f[0]).add(new Entry(f[1], nullable(f[2]), nullable(f[3]), nullable(f[4]), Long.parseLong(f[5])));
    }
  }

  static String nullable(String s) {
    return s.equals("null") ? null : s;
  }

  // ---- resource bodies ----
  // Built from a seed, so an update rebuilds the same resource; `rev` is the one field that changes.

  static String body(String type, Entry links, long seed, String id, int rev) {
    Random rnd = new Random(seed);
    String head = "{\"resourceType\":\"" + type + "\"" + (id == null ? "" : ",\"id\":\"" + id + "\"");
    return switch (type) {
      case "Patient" -> head + patient(rnd, rev);
      case "ServiceRequest" -> head + serviceRequest(rnd, links, rev);
      case "ImagingStudy" -> head + imagingStudy(rnd, links, rev);
      case "DiagnosticReport" -> head + diagnosticReport(rnd, links, rev);
      default -> throw new IllegalArgumentException(type);
    };
  }

  static final String[] FAMILY = {"Muster", "Meier", "Schmid", "Keller", "Weber", "Huber", "Rossi", "Dubois"};
  static final String[] GIVEN_FEMALE = {"Anna", "Marie", "Sofia", "Lea"};
  static final String[] GIVEN_MALE = {"Luca", "Noah", "David", "Elias"};

  static String patient(Random rnd, int rev) {
    boolean female = rnd.nextBoolean();
    return String.format(Locale.ROOT, """
        ,"identifier":[{"system":"urn:oid:2.16.756.5.30.999.1","value":"MRN%08d"}],\
        "name":[{"family":"%s","given":["%s"]}],"gender":"%s","birthDate":"%d-%02d-%02d",\
        "telecom":[{"system":"phone","value":"+41 44 555 %04d","use":"home"}]}""",
        rnd.nextInt(100_000_000), FAMILY[rnd.nextInt(FAMILY.length)],
        (female ? GIVEN_FEMALE : GIVEN_MALE)[rnd.nextInt(4)], female ? "female" : "male",
        1930 + rnd.nextInt(90), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rev);
  }

  static String serviceRequest(Random rnd, Entry links, int rev) {
    return String.format(Locale.ROOT, """
        ,"identifier":[{"system":"urn:oid:2.16.756.5.30.999.2","value":"ACC%08d"}],\
        "status":"active","intent":"order",\
        "code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"CT Chest"}]},\
        "subject":{"reference":"Patient/%s"},"authoredOn":"%s",\
        "note":[{"text":"Rule out pulmonary embolism (revision %d)"}]}""",
        rnd.nextInt(100_000_000), links.patient, dateTime(rnd), rev);
  }

  static final String CT_IMAGE_STORAGE = "urn:oid:1.2.840.10008.5.1.4.1.1.2"; // SOP Class UID

  static String imagingStudy(Random rnd, Entry links, int rev) {
    String dcm = "http://dicom.nema.org/resources/ontology/DCM";
    StringBuilder series = new StringBuilder();
    for (int s = 1; s <= 2; s++) {
      if (s > 1) {
        series.append(',');
      }
      series.append(String.format(Locale.ROOT, """
          {"uid":"%s","number":%d,"modality":{"system":"%s","code":"CT"},"description":"%s",\
          "numberOfInstances":20,"bodySite":{"system":"http://snomed.info/sct","code":"51185008","display":"Thorax"},\
          "instance":[""", uid(rnd), s, dcm, s == 1 ? "Thorax 5mm axial" : "Thorax 1mm lung kernel"));
      for (int i = 1; i <= 20; i++) {
        series.append(i > 1 ? "," : "").append(String.format(Locale.ROOT, """
            {"uid":"%s","sopClass":{"system":"urn:ietf:rfc:3986","code":"%s"},"number":%d}""",
            uid(rnd), CT_IMAGE_STORAGE, i));
      }
      series.append("]}");
    }
    return String.format(Locale.ROOT, """
        ,"identifier":[{"system":"urn:dicom:uid","value":"urn:oid:%s"}],"status":"available",\
        "modality":[{"system":"%s","code":"CT"}],"subject":{"reference":"Patient/%s"},\
        "started":"%s","basedOn":[{"reference":"ServiceRequest/%s"}],\
        "numberOfSeries":2,"numberOfInstances":40,"description":"CT Thorax (revision %d)",\
        "series":[%s]}""",
        uid(rnd), dcm, links.patient, dateTime(rnd), links.order, rev, series);
  }

  static String diagnosticReport(Random rnd, Entry links, int rev) {
    return String.format(Locale.ROOT, """
        ,"status":"final",\
        "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD"}]}],\
        "code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"CT Chest"}]},\
        "subject":{"reference":"Patient/%s"},"basedOn":[{"reference":"ServiceRequest/%s"}],\
        "imagingStudy":[{"reference":"ImagingStudy/%s"}],"effectiveDateTime":"%s",\
        "conclusion":"No pulmonary embolism. No acute cardiopulmonary findings. (revision %d)"}""",
        links.patient, links.order, links.study, dateTime(rnd), rev);
  }

  /** A UUID-derived DICOM UID (PS3.5 B.2): "2.25." and a 128-bit number in decimal. */
  static String uid(Random rnd) {
    return "2.25." + new BigInteger(128, rnd);
  }

  static String dateTime(Random rnd) {
    return String.format(Locale.ROOT, "2025-%02d-%02dT%02d:%02d:00Z",
        1 + rnd.nextInt(12), 1 + rnd.nextInt(28), 7 + rnd.nextInt(12), rnd.nextInt(60));
  }

  // ---- output ----

  void printTables() {
    String[] head = {"phase", "resource", "clients", "requests", "errors", "req/s", "p50 ms", "p99 ms"};
    List<String[]> rows = new ArrayList<>();
    for (Result r : results) {
      rows.add(new String[] {r.phase, r.type, Integer.toString(r.clients), Integer.toString(r.requests),
          Integer.toString(r.errors), String.format(Locale.ROOT, "%.0f", r.throughput()),
          String.format(Locale.ROOT, "%.2f", r.percentileMs(0.50)),
          String.format(Locale.ROOT, "%.2f", r.percentileMs(0.99))});
    }
    System.out.println();
    String plain = "%-7s %-17s %7s %8s %6s %7s %7s %7s%n";
    System.out.printf(plain, (Object[]) head);
    rows.forEach(row -> System.out.printf(plain, (Object[]) row));

    System.out.println();
    System.out.println("| " + String.join(" | ", head) + " |");
    System.out.println("|---|---|--:|--:|--:|--:|--:|--:|");
    rows.forEach(row -> System.out.println("| " + String.join(" | ", row) + " |"));
    System.out.println();
  }
}
