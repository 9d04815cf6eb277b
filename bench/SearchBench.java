import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-run search benchmark of the RadBridge FHIR server, against a database filled by
 * bench/SearchLoad.java: five searches of a radiology workload at several client counts, each
 * request with random values that exist (taken from the files SearchLoad wrote). JDK only, so it
 * runs with the source launcher:
 * {@code java bench/SearchBench.java --base http://127.0.0.1:8080/fhir --values DIR}.
 * See bench/README.md.
 */
public class SearchBench {
  static final String FHIR_JSON = "application/fhir+json";
  static final String MRN_SYSTEM = "urn:oid:2.16.756.5.30.999.1";

  /** A search: its name, the target (p99 at 1 client, throughput at 8 clients; 0 = none) and a description. */
  record Search(String name, String title, double p99TargetMs, double throughputTarget) {}

  static final List<Search> SEARCHES = List.of(
      new Search("identifier", "Patient?identifier=<sys>|<value>", 10, 1500),
      new Search("subject", "DiagnosticReport?subject=Patient/<id>", 10, 1500),
      new Search("study", "ImagingStudy?identifier=urn:dicom:uid|urn:oid:<uid>", 10, 1500),
      new Search("sort", "ServiceRequest?status=active&_sort=-authored&_count=20", 25, 0),
      new Search("chain", "DiagnosticReport?subject.identifier=<sys>|<value>", 20, 0));

  record PatientRow(String id, String mrn) {}

  record OrderRow(String sr, String is, String dr, String patient, String mrn, String studyUid) {}

  /** One request and what its answer must contain to count as correct. */
  record Call(URI uri, String mustContain, int exactEntries, int minEntries) {}

  record Result(String search, int clients, int requests, int errors, double seconds, long[] nanos, long entries,
      Cpu cpu) {
    double throughput() { return requests / seconds; }
    /** CPU milliseconds per search of a process group, or NaN when not measured. */
    double cpuMs(double seconds) { return 1e3 * seconds / requests; }
    double percentileMs(double p) {
      return BenchSupport.percentileMs(nanos, p);
    }
  }

  /** CPU seconds used during a run: this client, the server JVM, its PostgreSQL (NaN: unknown). */
  record Cpu(double client, double server, double postgres) {
    Cpu minus(Cpu o) { return new Cpu(client - o.client, server - o.server, postgres - o.postgres); }
  }

  final String base;
  final HttpClient http;
  long serverPid = -1;
  long postgresPid = -1;
  final List<PatientRow> patients = new ArrayList<>();
  final List<OrderRow> orders = new ArrayList<>();
  final List<Result> results = new ArrayList<>();

  SearchBench(String base) {
    this.base = base.replaceAll("/+$", "");
    // HTTP/1.1: the default (HTTP/2) would send an h2c upgrade offer with every new connection.
    this.http = BenchSupport.http();
  }

  public static void main(String[] args) throws Exception {
    String base = "http://127.0.0.1:8080/fhir";
    Path values = null;
    int requests = 2000;
    int warmup = 200;
    int serverWarmup = 500;
    double maxSeconds = 30;
    double warmupSeconds = 10;
    long serverPid = -1;
    long postgresPid = -1;
    List<Integer> clients = List.of(1, 8);
    Set<String> searches = new LinkedHashSet<>(SEARCHES.stream().map(Search::name).toList());
    Path out = null;
    String label = "";
    boolean urls = false;
    List<Path> compare = null;
    // Later options win, so a wrapper script can append overrides to the user's arguments.
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--base" -> base = value(args, ++i, a);
        case "--values" -> values = Path.of(value(args, ++i, a));
        case "--requests" -> requests = Integer.parseInt(value(args, ++i, a));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--server-warmup" -> serverWarmup = Integer.parseInt(value(args, ++i, a));
        case "--max-seconds" -> maxSeconds = Double.parseDouble(value(args, ++i, a));
        case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(value(args, ++i, a));
        case "--server-pid" -> serverPid = Long.parseLong(value(args, ++i, a));
        case "--postgres-pid" -> postgresPid = Long.parseLong(value(args, ++i, a));
        case "--quick" -> { requests = 200; warmup = 20; serverWarmup = 50; }
        case "--clients" -> clients = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim)
            .map(Integer::valueOf).toList();
        case "--searches" -> searches = new LinkedHashSet<>(Arrays.asList(value(args, ++i, a).split(",")));
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "--label" -> label = value(args, ++i, a);
        case "--urls" -> urls = true;
        case "--compare" -> compare = List.of(Path.of(value(args, ++i, a)), Path.of(value(args, ++i, a)));
        case "--explain-sql" -> {
          explainSql(Path.of(value(args, ++i, a)), value(args, ++i, a));
          return;
        }
        case "-h", "--help" -> { usage(); return; }
        default -> { System.err.println("unknown option " + a); usage(); System.exit(2); }
      }
    }
    if (compare != null) {
      compare(compare.get(0), compare.get(1));
      return;
    }
    Set<String> known = new LinkedHashSet<>(SEARCHES.stream().map(Search::name).toList());
    if (values == null || !known.containsAll(searches) || clients.stream().anyMatch(c -> c < 1) || requests < 1
        || warmup < 0 || serverWarmup < 0 || maxSeconds <= 0 || warmupSeconds <= 0) {
      usage();
      System.exit(2);
    }
    SearchBench bench = new SearchBench(base);
    bench.serverPid = serverPid;
    bench.postgresPid = postgresPid;
    bench.loadValues(values);
    if (urls) {
      // one URL of each search, e.g. to capture the SQL the server runs for it
      for (String s : searches) {
        System.out.println(s + "\t" + bench.call(s).uri());
      }
      return;
    }
    System.out.printf("SearchBench %s against %s (%s), %d Patients and %d orders to pick from, %d CPUs,"
            + " Java %s, load average %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), bench.base, label,
        bench.patients.size(), bench.orders.size(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), loadAverage());
    long started = System.nanoTime();
    int top = clients.stream().max(Integer::compare).orElse(1);
    if (serverWarmup > 0) {
      long t = System.nanoTime();
      for (String s : searches) {
        bench.run(s, top, serverWarmup, 2 * warmupSeconds);
      }
      System.out.printf("  server warmup: up to %d requests (%.0f s) per search in %.1f s%n", serverWarmup,
          2 * warmupSeconds,
          (System.nanoTime() - t) / 1e9);
    }
    for (String s : searches) {
      for (int c : clients) {
        int n = c == 1 ? requests : 2 * requests;
        bench.run(s, c, warmup, warmupSeconds);
        Result r = bench.run(s, c, n, maxSeconds);
        bench.results.add(r);
        System.out.printf("  %-10s clients=%d  %8.1f req/s  p50 %.2f ms  p99 %.2f ms  entries/page %.1f  errors %d"
                + "  CPU ms/search: client %.2f, server %.2f, PostgreSQL %.2f  (load average %s)%n", s, c,
            r.throughput(), r.percentileMs(0.50), r.percentileMs(0.99), r.entries / (double) r.requests, r.errors,
            r.cpuMs(r.cpu.client()), r.cpuMs(r.cpu.server()), r.cpuMs(r.cpu.postgres()), loadAverage());
      }
    }
    bench.printTables(label);
    if (out != null) {
      bench.save(out, label);
    }
    System.out.printf("SearchBench used %.0f s of CPU in %.0f s; load average at the end %s%n",
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis() / 1e3,
        (System.nanoTime() - started) / 1e9, loadAverage());
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
        usage: java bench/SearchBench.java --values DIR [options]
          --base URL         FHIR base URL (default http://127.0.0.1:8080/fhir)
          --values DIR       patients.tsv and orders.tsv written by SearchLoad
          --clients LIST     concurrent clients, comma separated (default 1,8)
          --requests N       measured requests per search with 1 client; more clients send 2N (default 2000)
          --max-seconds S    a measured run stops after S seconds even if not all N were sent (default 30)
          --warmup N         unmeasured requests before each measured run (default 200)
          --warmup-seconds S a warmup stops after S seconds (server warmup: 2S per search) (default 10)
          --server-pid PID   also measure the CPU time of the server JVM (pid) per search
          --postgres-pid PID and of its PostgreSQL (postmaster pid; the postmaster and its children)
          --server-warmup N  unmeasured requests per search before anything is measured (default 500, 0: none)
          --quick            200 requests, 20 warmup, 50 server warmup
          --searches LIST    subset of identifier,subject,study,sort,chain (default all)
          --label TEXT       name of this run (e.g. the database size) in the output
          --out FILE         also save the results as TSV (for --compare)
          --urls             print one URL of each search and exit
          --compare A B      compare two saved runs (A: the full database, B: the smaller one)
          --explain-sql LOG MARK  print EXPLAIN (ANALYZE, BUFFERS) of each statement that the server's
                             PostgreSQL logged (log_min_duration_statement = 0) between the statements
                             SELECT 'MARK-begin' and SELECT 'MARK-end', parameters substituted""");
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  void loadValues(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("patients.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      patients.add(new PatientRow(f[0], f[2]));
    }
    lines = Files.readAllLines(dir.resolve("orders.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      orders.add(new OrderRow(f[0], f[1], f[2], f[3], f[4], f[5]));
    }
    if (patients.isEmpty() || orders.isEmpty()) {
      throw new IllegalStateException(dir + " holds no patients or no orders");
    }
  }

  // ---- the searches ----

  /**
   * A request of the search with random values that exist, and what the answer must hold: the
   * resource the values came from (so a wrong or missing index row shows up as an error).
   * Patients are picked uniformly, orders too (so a patient with more orders is picked more often
   * for the searches by patient, and one without orders never).
   */
  Call call(String search) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    return switch (search) {
      case "identifier" -> {
        PatientRow p = patients.get(rnd.nextInt(patients.size()));
        yield new Call(uri("Patient?identifier=" + enc(MRN_SYSTEM + "|" + p.mrn())), p.id(), 1, 1);
      }
      case "subject" -> {
        OrderRow o = orders.get(rnd.nextInt(orders.size()));
        yield new Call(uri("DiagnosticReport?subject=" + enc("Patient/" + o.patient())), o.dr(), -1, 1);
      }
      case "study" -> {
        OrderRow o = orders.get(rnd.nextInt(orders.size()));
        yield new Call(uri("ImagingStudy?identifier=" + enc("urn:dicom:uid|urn:oid:" + o.studyUid())), o.is(), 1, 1);
      }
      // the same for every request: there is nothing to vary but the page, and the first page is the one asked for
      case "sort" -> new Call(uri("ServiceRequest?status=active&_sort=-authored&_count=20"), null, 20, 20);
      case "chain" -> {
        OrderRow o = orders.get(rnd.nextInt(orders.size()));
        yield new Call(uri("DiagnosticReport?subject.identifier=" + enc(MRN_SYSTEM + "|" + o.mrn())), o.dr(), -1, 1);
      }
      default -> throw new IllegalArgumentException(search);
    };
  }

  URI uri(String pathAndQuery) {
    return URI.create(base + "/" + pathAndQuery);
  }

  static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  static final Pattern ENTRY = Pattern.compile("\"fullUrl\"\\s*:");

  static int entries(String body) {
    Matcher m = ENTRY.matcher(body);
    int n = 0;
    while (m.find()) n++;
    return n;
  }

  /**
   * Sends n requests of a search from `clients` threads, each thread sending its next request when
   * the last one answered; stops early after maxSeconds (the requests sent so far are the result).
   */
  Result run(String search, int clients, int n, double maxSeconds) throws InterruptedException {
    long[] nanos = new long[n];
    AtomicInteger taken = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    java.util.concurrent.atomic.AtomicLong entries = new java.util.concurrent.atomic.AtomicLong();
    Cpu cpu0 = cpu();
    long start = System.nanoTime();
    long deadline = start + (long) (maxSeconds * 1e9);
    Runnable client = () -> {
      for (int i; System.nanoTime() < deadline && (i = taken.getAndIncrement()) < n; ) {
        Call call = call(search);
        HttpRequest request = HttpRequest.newBuilder(call.uri()).header("Accept", FHIR_JSON).GET().build();
        long t0 = System.nanoTime();
        String failure = null;
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          nanos[i] = System.nanoTime() - t0;
          String body = response.body();
          int found = entries(body);
          entries.addAndGet(found);
          if (response.statusCode() != 200) {
            failure = response.statusCode() + " " + abbreviate(body);
          } else if (call.exactEntries() >= 0 && found != call.exactEntries()) {
            failure = found + " entries instead of " + call.exactEntries();
          } else if (found < call.minEntries()) {
            failure = found + " entries instead of at least " + call.minEntries();
          } else if (call.mustContain() != null && !body.contains(call.mustContain())) {
            failure = "the answer lacks " + call.mustContain();
          }
        } catch (IOException e) {
          nanos[i] = System.nanoTime() - t0;
          failure = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        done.incrementAndGet();
        if (failure != null && errors.incrementAndGet() <= 3) { // a few samples show what went wrong
          System.err.printf("GET %s -> %s%n", call.uri(), failure);
        }
      }
    };
    Thread[] threads = new Thread[clients];
    for (int t = 0; t < clients; t++) {
      threads[t] = new Thread(client, "client-" + t);
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Cpu used = cpu().minus(cpu0);
    int completed = done.get();
    return new Result(search, clients, completed, errors.get(), seconds, Arrays.copyOf(nanos, completed),
        entries.get(), used);
  }

  Cpu cpu() {
    double client = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    return new Cpu(client, serverPid > 0 ? cpuSeconds(serverPid, false) : Double.NaN,
        postgresPid > 0 ? cpuSeconds(postgresPid, true) : Double.NaN);
  }

  /** utime + stime of a process (and, with children, of the processes whose parent it is), from /proc. */
  static double cpuSeconds(long pid, boolean children) {
    long ticks = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        long id = Long.parseLong(name);
        if (id != pid && !children) continue;
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException e) {
          continue; // exited meanwhile
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (id == pid || Long.parseLong(f[1]) == pid) {
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return ticks / 100.0; // USER_HZ
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  // ---- output ----

  static Search search(String name) {
    return SEARCHES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /** Whether a run meets its target: p99 at 1 client, throughput at the highest client count. */
  static String verdict(Search s, int clients, double p99, double throughput) {
    if (clients == 1) {
      return p99 <= s.p99TargetMs() ? "ok" : String.format(Locale.ROOT, "MISS (p99 <= %.0f ms)", s.p99TargetMs());
    }
    if (s.throughputTarget() > 0 && clients == 8) {
      return throughput >= s.throughputTarget() ? "ok"
          : String.format(Locale.ROOT, "MISS (>= %,.0f/s)", s.throughputTarget());
    }
    return "";
  }

  void printTables(String label) {
    String[] head = {"search", "clients", "requests", "errors", "searches/s", "p50 ms", "p99 ms", "target",
        "CPU ms/search client+server+PG"};
    List<String[]> rows = new ArrayList<>();
    for (Result r : results) {
      double p99 = r.percentileMs(0.99);
      rows.add(new String[] {search(r.search).title(), Integer.toString(r.clients), Integer.toString(r.requests),
          Integer.toString(r.errors), String.format(Locale.ROOT, "%.0f", r.throughput()),
          String.format(Locale.ROOT, "%.2f", r.percentileMs(0.50)), String.format(Locale.ROOT, "%.2f", p99),
          verdict(search(r.search), r.clients, p99, r.throughput()),
          String.format(Locale.ROOT, "%.2f + %.2f + %.2f", r.cpuMs(r.cpu.client()), r.cpuMs(r.cpu.server()),
              r.cpuMs(r.cpu.postgres()))});
    }
    System.out.println();
    System.out.println("== " + label);
    String plain = "%-56s %7s %8s %6s %10s %8s %8s  %-22s %s%n";
    System.out.printf(plain, (Object[]) head);
    rows.forEach(row -> System.out.printf(plain, (Object[]) row));
    System.out.println();
    System.out.println("| " + String.join(" | ", head) + " |");
    System.out.println("|---|--:|--:|--:|--:|--:|--:|---|--:|");
    rows.forEach(row -> System.out.println("| `" + row[0] + "` | " + String.join(" | ",
        Arrays.copyOfRange(row, 1, row.length)) + " |"));
    System.out.println();
  }

  void save(Path file, String label) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("label\tsearch\tclients\trequests\terrors\tthroughput\tp50_ms\tp99_ms\tcpu_client_ms\tcpu_server_ms\tcpu_pg_ms");
    for (Result r : results) {
      lines.add(String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%d\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f", label, r.search,
          r.clients, r.requests, r.errors, r.throughput(), r.percentileMs(0.50), r.percentileMs(0.99),
          r.cpuMs(r.cpu.client()), r.cpuMs(r.cpu.server()), r.cpuMs(r.cpu.postgres())));
    }
    Files.write(file, lines);
  }

  /**
   * Full database against the 1/10 one: the cost of these searches must not grow with the
   * database, so each time of the full one must be within 1.5x of the smaller one's.
   */
  static void compare(Path full, Path small) throws IOException {
    Map<String, String[]> a = readSaved(full);
    Map<String, String[]> b = readSaved(small);
    String[] head = {"search", "clients", "p50 ms", "p50 ms (1/10)", "ratio", "p99 ms", "p99 ms (1/10)", "ratio",
        "searches/s", "searches/s (1/10)", "CPU ms/search", "CPU ms/search (1/10)", "ratio", "within 1.5x"};
    System.out.println("| " + String.join(" | ", head) + " |");
    System.out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
    for (Map.Entry<String, String[]> e : a.entrySet()) {
      String[] x = e.getValue();
      String[] y = b.get(e.getKey());
      if (y == null) continue;
      double p50 = Double.parseDouble(x[6]), p50s = Double.parseDouble(y[6]);
      double p99 = Double.parseDouble(x[7]), p99s = Double.parseDouble(y[7]);
      double tp = Double.parseDouble(x[5]), tps = Double.parseDouble(y[5]);
      double cpu = cpuTotal(x), cpus = cpuTotal(y);
      boolean ok = p50 <= 1.5 * p50s && p99 <= 1.5 * p99s && tp * 1.5 >= tps;
      System.out.println(String.format(Locale.ROOT,
          "| `%s` | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.2f | %.2f | %.2f | %s |",
          search(x[1]).title(), x[2], p50, p50s, p50 / p50s, p99, p99s, p99 / p99s, tp, tps, cpu, cpus, cpu / cpus,
          ok ? "yes" : "NO"));
    }
  }

  /** Client + server + PostgreSQL CPU ms per search of a saved row (NaN when not measured). */
  static double cpuTotal(String[] row) {
    if (row.length < 11) return Double.NaN;
    return Double.parseDouble(row[8]) + Double.parseDouble(row[9]) + Double.parseDouble(row[10]);
  }

  static Map<String, String[]> readSaved(Path file) throws IOException {
    Map<String, String[]> m = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      m.put(f[1] + " " + f[2], f);
    }
    return m;
  }

  // ---- EXPLAIN of the statements the server ran (used by search-run.sh --explain) ----

  static final Pattern EXECUTE = Pattern.compile("LOG:  duration: [0-9.]+ ms  execute [^:]+: (.*)$");
  static final Pattern PARAMETERS = Pattern.compile("DETAIL:  [Pp]arameters: (.*)$");
  static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\d+)\\b");

  /**
   * Reads PostgreSQL's statement log (as the server prints it through zonky's logger) and prints,
   * for each SELECT executed between the two marker statements, one line
   * {@code EXPLAIN (ANALYZE, BUFFERS) <sql with its parameters as literals>}. The job worker's
   * polling statements are left out.
   */
  static void explainSql(Path log, String mark) throws IOException {
    List<String> lines = Files.readAllLines(log);
    boolean inside = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.contains(mark + "-begin")) {
        inside = true;
        continue;
      }
      if (line.contains(mark + "-end")) {
        break;
      }
      Matcher m = EXECUTE.matcher(line);
      if (!inside || !m.find()) {
        continue;
      }
      String sql = m.group(1);
      if (!(sql.startsWith("SELECT") || sql.startsWith("WITH")) || sql.matches(".*\\bjob\\b.*")) {
        continue;
      }
      Map<Integer, String> params = new LinkedHashMap<>();
      if (i + 1 < lines.size()) {
        Matcher d = PARAMETERS.matcher(lines.get(i + 1));
        if (d.find()) {
          params = parseParameters(d.group(1));
        }
      }
      Map<Integer, String> p = params;
      Matcher ph = PLACEHOLDER.matcher(sql);
      StringBuilder out = new StringBuilder();
      while (ph.find()) {
        String literal = p.get(Integer.parseInt(ph.group(1)));
        ph.appendReplacement(out, Matcher.quoteReplacement(literal == null ? ph.group() : literal));
      }
      ph.appendTail(out);
      System.out.println("EXPLAIN (ANALYZE, BUFFERS) " + out);
    }
  }

  /** "$1 = 'a', $2 = NULL, $3 = 'it''s'" to {1: 'a', 2: NULL, 3: 'it''s'} (literals kept quoted). */
  static Map<Integer, String> parseParameters(String s) {
    Map<Integer, String> m = new LinkedHashMap<>();
    int i = 0;
    while (i < s.length()) {
      int dollar = s.indexOf('$', i);
      if (dollar < 0) break;
      int eq = s.indexOf(" = ", dollar);
      int n = Integer.parseInt(s.substring(dollar + 1, eq));
      int v = eq + 3;
      if (s.startsWith("NULL", v)) {
        m.put(n, "NULL");
        i = v + 4;
      } else {
        int j = v + 1;
        while (j < s.length()) {
          if (s.charAt(j) == '\'') {
            if (j + 1 < s.length() && s.charAt(j + 1) == '\'') {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        m.put(n, s.substring(v, j + 1));
        i = j + 1;
      }
    }
    return m;
  }
}
