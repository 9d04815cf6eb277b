import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-run transaction benchmark of the RadBridge FHIR server: POST /fhir with 4-entry transaction
 * bundles — Patient (conditional create on an identifier), ServiceRequest, ImagingStudy (2 series x
 * 20 instances) and DiagnosticReport, linked by urn:uuid — at several client counts. JDK only:
 * {@code java bench/TransactionBench.java --base http://127.0.0.1:8080/fhir}. See bench/README.md,
 * "Transactions and Synthea".
 */
public class TransactionBench {
  static final String FHIR_JSON = "application/fhir+json";
  static final String MRN_SYSTEM = "urn:oid:2.16.756.5.30.999.1";
  static final int RESOURCES_PER_TRANSACTION = 4;

  record Result(int clients, int transactions, int errors, int existing, double seconds, long[] nanos) {
    double throughput() { return transactions / seconds; }
    double percentileMs(double p) {
      return BenchSupport.percentileMs(nanos, p);
    }
  }

  final String base;
  final int warmup;
  final int transactions;
  final List<Integer> clients;
  final double existingShare;
  final boolean minimal;
  final HttpClient http;
  /** This run's identifiers: "TX<run>-<n>"; a new patient takes the next n. */
  final String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36).toUpperCase(Locale.ROOT);
  final AtomicInteger nextPatient = new AtomicInteger();
  /** Identifiers whose Patient a committed transaction created (the pool existing patients come from). */
  final List<String> existing = new ArrayList<>();
  final List<Result> results = new ArrayList<>();

  TransactionBench(String base, int warmup, int transactions, List<Integer> clients, double existingShare,
      boolean minimal) {
    this.base = base.replaceAll("/+$", "");
    this.warmup = warmup;
    this.transactions = transactions;
    this.clients = clients;
    this.existingShare = existingShare;
    this.minimal = minimal;
    // HTTP/1.1: the default (HTTP/2) would send an h2c upgrade offer with every new connection.
    this.http = BenchSupport.http();
  }

  public static void main(String[] args) throws Exception {
    String base = "http://127.0.0.1:8080/fhir";
    boolean quick = false;
    Integer transactions = null;
    Integer warmup = null;
    Integer serverWarmup = null;
    double existingShare = 0.5;
    boolean minimal = false;
    List<Integer> clients = List.of(1, 8);
    // Later options win, so a wrapper script can append overrides to the user's arguments.
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--base" -> base = value(args, ++i, a);
        case "--quick" -> quick = true;
        case "--transactions" -> transactions = Integer.parseInt(value(args, ++i, a));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--server-warmup" -> serverWarmup = Integer.parseInt(value(args, ++i, a));
        case "--existing" -> existingShare = Double.parseDouble(value(args, ++i, a));
        case "--minimal" -> minimal = true;
        case "--clients" -> clients = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim)
            .map(Integer::valueOf).toList();
        case "-h", "--help" -> { usage(); return; }
        default -> { System.err.println("unknown option " + a); usage(); System.exit(2); }
      }
    }
    if (clients.stream().anyMatch(c -> c < 1) || (transactions != null && transactions < 1)
        || (warmup != null && warmup < 0) || (serverWarmup != null && serverWarmup < 0)
        || existingShare < 0 || existingShare > 1) {
      usage();
      System.exit(2);
    }
    TransactionBench bench = new TransactionBench(base, warmup != null ? warmup : quick ? 20 : 200,
        transactions != null ? transactions : quick ? 200 : 2000, clients, existingShare, minimal);
    System.out.printf(Locale.ROOT, "TransactionBench %s against %s, %d CPUs, Java %s; %.0f%% of the Patients"
        + " exist already, Prefer: return=%s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), bench.base,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), 100 * existingShare,
        minimal ? "minimal" : "representation (server default)");

    long started = System.nanoTime();
    int jitWarmup = serverWarmup != null ? serverWarmup : quick ? 100 : 1000;
    if (jitWarmup > 0) {
      long t = System.nanoTime();
      bench.run(java.util.Collections.max(clients), jitWarmup);
      System.out.printf("  server warmup: %d transactions in %.1f s%n", jitWarmup, (System.nanoTime() - t) / 1e9);
    }
    for (int c : clients) {
      // More clients get more transactions so the run is long enough to measure throughput.
      int n = c == 1 ? bench.transactions : 2 * bench.transactions;
      bench.run(c, bench.warmup);
      Result r = bench.run(c, n);
      bench.results.add(r);
      System.out.printf(Locale.ROOT, "  clients=%d  %7.1f tx/s  %7.0f resources/s  p50 %.2f ms  p99 %.2f ms"
          + "  existing patients %d of %d  errors %d%n", c, r.throughput(),
          r.throughput() * RESOURCES_PER_TRANSACTION, r.percentileMs(0.50), r.percentileMs(0.99), r.existing,
          r.transactions, r.errors);
    }
    bench.printTable();
    System.out.printf("TransactionBench used %.0f s of CPU in %.0f s%n",
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis() / 1e3,
        (System.nanoTime() - started) / 1e9);
    int errors = bench.results.stream().mapToInt(Result::errors).sum();
    if (errors > 0) {
      System.err.println(errors + " transactions failed");
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
        usage: java bench/TransactionBench.java [options]
          --base URL          FHIR base URL (default http://127.0.0.1:8080/fhir)
          --clients LIST      concurrent clients, comma separated (default 1,8)
          --transactions N    measured transactions with 1 client; more clients send 2N (default 2000)
          --warmup N          unmeasured transactions before each measured run (default 200)
          --server-warmup N   unmeasured transactions before anything is measured (default 1000, 0: none)
          --existing F        share of transactions whose Patient exists already (default 0.5)
          --minimal           send Prefer: return=minimal (default: the server's, the full resources)
          --quick             small run: 200 transactions, 20 warmup, 100 server warmup""");
  }

  /** One transaction to send and what its Patient entry must answer. */
  record Tx(String body, String mrn, boolean patientExists) {}

  /** Sends n transactions from `clients` threads, each sending its next when the last one answered. */
  Result run(int clients, int n) throws InterruptedException {
    long[] nanos = new long[n];
    AtomicInteger taken = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger matched = new AtomicInteger();
    Runnable client = () -> {
      for (int i; (i = taken.getAndIncrement()) < n; ) {
        Tx tx = next();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base))
            .header("Content-Type", FHIR_JSON).header("Accept", FHIR_JSON)
            .POST(HttpRequest.BodyPublishers.ofString(tx.body));
        if (minimal) {
          b.header("Prefer", "return=minimal");
        }
        long start = System.nanoTime();
        String failure = null;
        try {
          HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
          nanos[i] = System.nanoTime() - start;
          failure = check(response, tx);
          if (failure == null) {
            if (tx.patientExists) {
              matched.incrementAndGet();
            } else {
              synchronized (existing) {
                existing.add(tx.mrn);
              }
            }
          }
        } catch (IOException e) {
          nanos[i] = System.nanoTime() - start;
          failure = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (failure != null && errors.incrementAndGet() <= 3) { // a few samples show what went wrong
          System.err.println("POST " + base + " -> " + failure);
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
    return new Result(clients, n, errors.get(), matched.get(), seconds, nanos);
  }

  static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\d{3})[^\"]*\"");

  /**
   * Null when the response is a transaction-response whose Patient answered 200 (existed) or 201
   * (created) as expected and whose three other entries answered 201; else what was wrong.
   */
  static String check(HttpResponse<String> response, Tx tx) {
    String body = response.body();
    if (response.statusCode() != 200) {
      return response.statusCode() + " " + abbreviate(body);
    }
    if (!body.contains("\"transaction-response\"")) {
      return "200 without a transaction-response: " + abbreviate(body);
    }
    // Only the entries' response.status values are three digits and a reason phrase.
    List<String> statuses = new ArrayList<>();
    Matcher m = STATUS.matcher(body);
    while (m.find()) {
      statuses.add(m.group(1));
    }
    List<String> expected = List.of(tx.patientExists ? "200" : "201", "201", "201", "201");
    return statuses.equals(expected) ? null : "entry statuses " + statuses + ", expected " + expected;
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  /** The next transaction: with probability existingShare for a Patient created earlier, else a new one. */
  Tx next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String mrn = null;
    if (r.nextDouble() < existingShare) {
      synchronized (existing) {
        if (!existing.isEmpty()) {
          mrn = existing.get(r.nextInt(existing.size()));
        }
      }
    }
    boolean exists = mrn != null;
    if (mrn == null) {
      mrn = "TX" + run + "-" + nextPatient.getAndIncrement();
    }
    return new Tx(body(mrn, new Random(r.nextLong())), mrn, exists);
  }

  // ---- the bundle ----

  static final String[] FAMILY = {"Muster", "Meier", "Schmid", "Keller", "Weber", "Huber", "Rossi", "Dubois"};
  static final String[] GIVEN_FEMALE = {"Anna", "Marie", "Sofia", "Lea"};
  static final String[] GIVEN_MALE = {"Luca", "Noah", "David", "Elias"};
  static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  static final String CT_IMAGE_STORAGE = "urn:oid:1.2.840.10008.5.1.4.1.1.2"; // SOP Class UID

  /** Patient (conditional on its MRN), ServiceRequest, ImagingStudy and DiagnosticReport, linked by urn:uuid. */
  static String body(String mrn, Random rnd) {
    String patient = "urn:uuid:" + uuid(rnd);
    String order = "urn:uuid:" + uuid(rnd);
    String study = "urn:uuid:" + uuid(rnd);
    String report = "urn:uuid:" + uuid(rnd);
    boolean female = rnd.nextBoolean();
    String when = dateTime(rnd);
    StringBuilder series = new StringBuilder();
    for (int s = 1; s <= 2; s++) {
      if (s > 1) {
        series.append(',');
      }
      series.append(String.format(Locale.ROOT, """
          {"uid":"%s","number":%d,"modality":{"system":"%s","code":"CT"},"description":"%s",\
          "numberOfInstances":20,"bodySite":{"system":"http://snomed.info/sct","code":"51185008","display":"Thorax"},\
          "instance":[""", uid(rnd), s, DCM, s == 1 ? "Thorax 5mm axial" : "Thorax 1mm lung kernel"));
      for (int i = 1; i <= 20; i++) {
        series.append(i > 1 ? "," : "").append(String.format(Locale.ROOT, """
            {"uid":"%s","sopClass":{"system":"urn:ietf:rfc:3986","code":"%s"},"number":%d}""",
            uid(rnd), CT_IMAGE_STORAGE, i));
      }
      series.append("]}");
    }
    return String.format(Locale.ROOT, """
        {"resourceType":"Bundle","type":"transaction","entry":[\
        {"fullUrl":"%1$s","resource":{"resourceType":"Patient",\
        "identifier":[{"system":"%5$s","value":"%6$s"}],\
        "name":[{"family":"%7$s","given":["%8$s"]}],"gender":"%9$s","birthDate":"%10$d-%11$02d-%12$02d"},\
        "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=%5$s|%6$s"}},\
        {"fullUrl":"%2$s","resource":{"resourceType":"ServiceRequest",\
        "identifier":[{"system":"urn:oid:2.16.756.5.30.999.2","value":"ACC%13$08d"}],\
        "status":"active","intent":"order",\
        "code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"CT Chest"}]},\
        "subject":{"reference":"%1$s"},"authoredOn":"%14$s",\
        "note":[{"text":"Rule out pulmonary embolism"}]},\
        "request":{"method":"POST","url":"ServiceRequest"}},\
        {"fullUrl":"%3$s","resource":{"resourceType":"ImagingStudy",\
        "identifier":[{"system":"urn:dicom:uid","value":"urn:oid:%15$s"}],"status":"available",\
        "modality":[{"system":"%16$s","code":"CT"}],"subject":{"reference":"%1$s"},\
        "started":"%14$s","basedOn":[{"reference":"%2$s"}],\
        "numberOfSeries":2,"numberOfInstances":40,"description":"CT Thorax","series":[%17$s]},\
        "request":{"method":"POST","url":"ImagingStudy"}},\
        {"fullUrl":"%4$s","resource":{"resourceType":"DiagnosticReport","status":"final",\
        "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD"}]}],\
        "code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"CT Chest"}]},\
        "subject":{"reference":"%1$s"},"basedOn":[{"reference":"%2$s"}],\
        "imagingStudy":[{"reference":"%3$s"}],"effectiveDateTime":"%14$s",\
        "conclusion":"No pulmonary embolism. No acute cardiopulmonary findings."},\
        "request":{"method":"POST","url":"DiagnosticReport"}}]}""",
        patient, order, study, report, MRN_SYSTEM, mrn, FAMILY[rnd.nextInt(FAMILY.length)],
        (female ? GIVEN_FEMALE : GIVEN_MALE)[rnd.nextInt(4)], female ? "female" : "male",
        1930 + rnd.nextInt(90), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28), rnd.nextInt(100_000_000), when,
        uid(rnd), DCM, series);
  }

  static UUID uuid(Random rnd) {
    return new UUID(rnd.nextLong() & 0xffffffffffff0fffL | 0x4000L, rnd.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L);
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

  void printTable() {
    String[] head = {"clients", "transactions", "errors", "tx/s", "resources/s", "p50 ms", "p99 ms", "existing Patient"};
    List<String[]> rows = new ArrayList<>();
    for (Result r : results) {
      rows.add(new String[] {Integer.toString(r.clients), Integer.toString(r.transactions), Integer.toString(r.errors),
          String.format(Locale.ROOT, "%.0f", r.throughput()),
          String.format(Locale.ROOT, "%.0f", r.throughput() * RESOURCES_PER_TRANSACTION),
          String.format(Locale.ROOT, "%.2f", r.percentileMs(0.50)),
          String.format(Locale.ROOT, "%.2f", r.percentileMs(0.99)),
          String.format(Locale.ROOT, "%.0f%%", 100.0 * r.existing / r.transactions)});
    }
    System.out.println();
    System.out.println("| " + String.join(" | ", head) + " |");
    System.out.println("|--:|--:|--:|--:|--:|--:|--:|--:|");
    rows.forEach(row -> System.out.println("| " + String.join(" | ", row) + " |"));
    System.out.println();
  }
}
