import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.radbridge.server.RadBridgeApplication;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fills a RadBridge database with a radiology region for bench/SearchBench.java: Practitioners,
 * Patients, and per order a ServiceRequest, an ImagingStudy and a DiagnosticReport, all linked.
 *
 * <p>It writes through the server's own code, not SQL of its own: it starts the Spring context of
 * RadBridgeApplication on the given data directory (with its web server on a free loopback port that
 * nothing calls: the security configuration needs a servlet context) and calls
 * {@link ResourceWriter#write} (the one write path, so the resource, version and index rows are
 * exactly what a REST create writes) for batches of resources inside one outer transaction each,
 * from several threads. Run it with the classes of the extracted server jar on the class path; see
 * bench/search-run.sh and bench/README.md.
 *
 * <p>It also writes the ids and identifier values SearchBench picks from (patients.tsv, orders.tsv).
 */
public class SearchLoad {
  static final String MRN_SYSTEM = "urn:oid:2.16.756.5.30.999.1";
  static final String AHV_SYSTEM = "urn:oid:2.16.756.5.32";
  static final String PLACER_SYSTEM = "urn:oid:2.16.756.5.30.999.3";
  static final String ACCESSION_SYSTEM = "urn:oid:2.16.756.5.30.999.2";
  static final String REPORT_SYSTEM = "urn:oid:2.16.756.5.30.999.4";
  static final String GLN_SYSTEM = "urn:oid:2.51.1.3";
  static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
  static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  static final String LOINC = "http://loinc.org";
  static final String SNOMED = "http://snomed.info/sct";

  /** Orders of these kinds; LOINC code, display, DICOM modality, SNOMED body site, SOP Class UID. */
  record Procedure(String loinc, String display, String modality, String bodySite, String bodySiteDisplay,
      String sopClass, String series1, String series2) {}

  static final Procedure[] PROCEDURES = {
      new Procedure("36643-5", "XR Chest 2 Views", "DX", "51185008", "Thorax", "1.2.840.10008.5.1.4.1.1.1.1",
          "Chest PA", "Chest lateral"),
      new Procedure("24627-2", "CT Chest", "CT", "51185008", "Thorax", "1.2.840.10008.5.1.4.1.1.2",
          "Thorax 5mm axial", "Thorax 1mm lung kernel"),
      new Procedure("30799-1", "CT Head W/O contrast", "CT", "69536005", "Head", "1.2.840.10008.5.1.4.1.1.2",
          "Head 5mm axial", "Head 1mm bone kernel"),
      new Procedure("24590-2", "MR Brain", "MR", "12738006", "Brain", "1.2.840.10008.5.1.4.1.1.4",
          "T1 sagittal", "T2 axial"),
      new Procedure("24531-6", "US Abdomen", "US", "818983003", "Abdomen", "1.2.840.10008.5.1.4.1.1.6.1",
          "Liver", "Kidneys"),
      new Procedure("24606-6", "MG Breast Screening", "MG", "76752008", "Breast", "1.2.840.10008.5.1.4.1.1.1.2",
          "CC", "MLO"),
  };
  /** Relative frequency of each procedure above (plain radiographs dominate, as in practice). */
  static final int[] PROCEDURE_WEIGHTS = {40, 20, 12, 10, 12, 6};

  static final String[] FAMILY = {"Muster", "Meier", "Schmid", "Keller", "Weber", "Huber", "Rossi", "Dubois",
      "Müller", "Brunner", "Baumann", "Fischer", "Gerber", "Frei", "Moser", "Bianchi", "Favre", "Zimmermann"};
  static final String[] GIVEN_FEMALE = {"Anna", "Marie", "Sofia", "Lea", "Laura", "Julia", "Chiara", "Élodie"};
  static final String[] GIVEN_MALE = {"Luca", "Noah", "David", "Elias", "Jonas", "Marco", "Thomas", "Loïc"};
  static final String[] CITIES = {"Zürich 8001", "Bern 3011", "Basel 4051", "Luzern 6003", "Winterthur 8400",
      "St. Gallen 9000", "Lausanne 1003", "Lugano 6900"};

  record PatientRow(String id, String mrn) {}

  record OrderRow(String sr, String is, String dr, int patient, String studyUid, String accession, String status) {}

  final TransactionTemplate tx;
  /** The loader writes as the server itself does for its own work (no token, no scopes to check). */
  static final Caller LOADER = Caller.system("SearchLoad");
  final ResourceWriter writer;
  final int batch;
  final int threads;
  final long seed;
  /** Orders are authored within these two years, up to this instant. */
  final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  final AtomicLong written = new AtomicLong();

  List<String> practitioners;
  PatientRow[] patients;
  OrderRow[] orders;

  SearchLoad(ConfigurableApplicationContext ctx, int batch, int threads, long seed) {
    this.tx = ctx.getBean(TransactionTemplate.class);
    this.writer = ctx.getBean(ResourceWriter.class);
    this.batch = batch;
    this.threads = threads;
    this.seed = seed;
  }

  public static void main(String[] args) throws Exception {
    String dataDir = null;
    Path out = null;
    int patients = 100_000;
    int orders = 200_000;
    int practitioners = 500;
    int batch = 500;
    int threads = 2;
    long seed = 42;
    boolean analyze = true;
    List<String> springArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--data-dir" -> dataDir = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--patients" -> patients = Integer.parseInt(args[++i]);
        case "--orders" -> orders = Integer.parseInt(args[++i]);
        case "--practitioners" -> practitioners = Integer.parseInt(args[++i]);
        case "--scale" -> {
          double s = Double.parseDouble(args[++i]);
          patients = (int) Math.round(100_000 * s);
          orders = (int) Math.round(200_000 * s);
        }
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--no-analyze" -> analyze = false;
        case "-h", "--help" -> { usage(); return; }
        default -> {
          if (a.startsWith("--spring.") || a.startsWith("--logging.") || a.startsWith("--radbridge.")) {
            springArgs.add(a); // passed on to the server's context
          } else {
            System.err.println("unknown option " + a);
            usage();
            System.exit(2);
          }
        }
      }
    }
    if (dataDir == null || out == null || patients < 1 || orders < 0 || practitioners < 1 || batch < 3 || threads < 1) {
      usage();
      System.exit(2);
    }
    Files.createDirectories(out);
    System.out.printf("SearchLoad %s: %d Practitioners, %d Patients, %d orders (ServiceRequest + ImagingStudy"
            + " + DiagnosticReport each), batches of %d, %d threads, %d CPUs, load average %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), practitioners, patients, orders,
        batch, threads, Runtime.getRuntime().availableProcessors(), loadAverage());

    long t0 = System.nanoTime();
    List<String> sargs = new ArrayList<>(List.of("--radbridge.data-dir=" + dataDir,
        "--server.port=0", "--radbridge.bind-address=127.0.0.1", "--spring.main.banner-mode=off"));
    sargs.addAll(springArgs);
    int exit = 0;
    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(RadBridgeApplication.class)
        .web(WebApplicationType.SERVLET).run(sargs.toArray(new String[0]))) {
      System.out.printf("server context started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      Long existing = jdbc.queryForObject("SELECT count(*) FROM resource WHERE res_type = 'Patient'", Long.class);
      if (existing != null && existing > 0) {
        throw new IllegalStateException(dataDir + " already holds " + existing + " Patients; load into a new data directory");
      }
      waitForShippedSearchParameters(jdbc);

      SearchLoad load = new SearchLoad(ctx, batch, threads, seed);
      Path pgPidFile = Path.of(dataDir, "postgres", "postmaster.pid").toAbsolutePath();
      double jvmCpu0 = processCpuSeconds();
      double pgCpu0 = postgresCpuSeconds(pgPidFile);
      long start = System.nanoTime();
      load.loadPractitioners(practitioners);
      load.loadPatients(patients);
      load.loadOrders(orders);
      double seconds = (System.nanoTime() - start) / 1e9;
      long n = load.written.get();
      System.out.printf("%nloaded %d resources in %.1f s: %.0f resources/s (load average %s)%n", n, seconds,
          n / seconds, loadAverage());
      // Where the time went: on a machine with nothing else running, loader and PostgreSQL share
      // its CPUs, so CPU time per resource bounds the rate whatever the number of threads.
      double jvmCpu = processCpuSeconds() - jvmCpu0;
      double pgCpu = postgresCpuSeconds(pgPidFile) - pgCpu0;
      int cpus = Runtime.getRuntime().availableProcessors();
      System.out.printf("CPU time: loader JVM %.1f s (%.3f ms per resource), PostgreSQL %.1f s (%.3f ms per resource);"
              + " %.2f ms per resource in all, so at most %.0f resources/s on %d otherwise idle CPUs%n",
          jvmCpu, 1e3 * jvmCpu / n, pgCpu, 1e3 * pgCpu / n, 1e3 * (jvmCpu + pgCpu) / n,
          cpus * n / (jvmCpu + pgCpu), cpus);
      load.writeValues(out);

      if (analyze) {
        // What autovacuum would do some time after a bulk load; done now so that the search plans
        // (statistics) and index-only scans (visibility map) are those of a settled database.
        long a0 = System.nanoTime();
        jdbc.execute("VACUUM (ANALYZE)");
        System.out.printf("VACUUM (ANALYZE) in %.1f s%n", (System.nanoTime() - a0) / 1e9);
      }
      printCounts(jdbc);
      Files.writeString(out.resolve("load.txt"), String.format(Locale.ROOT,
          "practitioners=%d%npatients=%d%norders=%d%nresources=%d%nseconds=%.1f%nrate=%.0f%n",
          practitioners, patients, orders, n, seconds, n / seconds));
    } catch (Exception e) {
      e.printStackTrace();
      exit = 1;
    }
    System.exit(exit); // the context's scheduler and pool threads must not keep the JVM alive
  }

  static void usage() {
    System.err.println("""
        usage: java -cp <extracted server jar> bench/SearchLoad.java --data-dir DIR --out DIR [options]
          --data-dir DIR      radbridge.data-dir of the server (a new one: the embedded PostgreSQL is created there)
          --out DIR           where to write patients.tsv, orders.tsv and load.txt for SearchBench
          --patients N        Patients (default 100000)
          --orders N          orders: one ServiceRequest, ImagingStudy and DiagnosticReport each (default 200000)
          --scale F           100000*F Patients and 200000*F orders (0.1: the 1/10 database)
          --practitioners N   requesting Practitioners (default 500)
          --batch N           resources per transaction (default 500)
          --threads N         loading threads (default 2)
          --seed N            random seed (default 42)
          --no-analyze        skip VACUUM (ANALYZE) after the load
          --spring.*=V, --logging.*=V, --radbridge.*=V  passed on to the server's context""");
  }

  static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** CPU seconds used so far by the postmaster and its children (backends, WAL writer, checkpointer...). */
  static double postgresCpuSeconds(Path pidFile) {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      long ticks = 0;
      try (var procs = Files.list(Path.of("/proc"))) {
        for (Path p : (Iterable<Path>) procs::iterator) {
          String name = p.getFileName().toString();
          if (!name.chars().allMatch(Character::isDigit)) continue;
          String stat;
          try {
            stat = Files.readString(p.resolve("stat"));
          } catch (IOException e) {
            continue; // exited meanwhile
          }
          // pid (comm) state ppid ... field 14 utime, 15 stime (1-based, counting from pid)
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(name);
          long ppid = Long.parseLong(f[1]);
          if (pid == postmaster || ppid == postmaster) {
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        }
      }
      return ticks / 100.0; // USER_HZ
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * The server stores the profiles module's SearchParameters in the background after start and
   * reindexes for them; loading before that has finished would race the reindex job.
   */
  static void waitForShippedSearchParameters(JdbcTemplate jdbc) throws Exception {
    int shipped = new PathMatchingResourcePatternResolver()
        .getResources("classpath*:radbridge/searchparameters/*.json").length;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      Long stored = jdbc.queryForObject(
          "SELECT count(*) FROM resource WHERE res_type = 'SearchParameter' AND NOT deleted", Long.class);
      Long pending = jdbc.queryForObject(
          "SELECT count(*) FROM job WHERE kind = 'reindex' AND state IN ('queued', 'running')", Long.class);
      if (stored != null && stored >= shipped && pending != null && pending == 0) {
        System.out.printf("%d shipped SearchParameters stored and reindexed%n", stored);
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("shipped SearchParameters not stored and reindexed after 120 s");
      }
      Thread.sleep(200);
    }
  }

  static void printCounts(JdbcTemplate jdbc) {
    System.out.println("resources by type:");
    jdbc.query("SELECT res_type, count(*) FROM resource GROUP BY res_type ORDER BY res_type",
        rs -> { System.out.printf("  %-18s %,10d%n", rs.getString(1), rs.getLong(2)); });
    System.out.println("index rows and size (table + indexes):");
    for (String t : List.of("resource", "resource_version", "idx_string", "idx_token", "idx_reference",
        "idx_date", "idx_number", "idx_quantity", "idx_uri")) {
      Map<String, Object> m = jdbc.queryForMap("SELECT (SELECT count(*) FROM " + t + ") AS n,"
          + " pg_size_pretty(pg_total_relation_size('" + t + "')) AS size");
      System.out.printf("  %-18s %,10d rows %10s%n", t, ((Number) m.get("n")).longValue(), m.get("size"));
    }
    System.out.println("  database size: " + jdbc.queryForObject(
        "SELECT pg_size_pretty(pg_database_size(current_database()))", String.class));
  }

  // ---- loading ----

  /**
   * Runs {@code batches} units of work on the loading threads; each unit is one transaction in
   * which {@code unit} creates its resources through ResourceWriter (whose own transactions join it).
   */
  void run(String what, int batches, IntFunction<Integer> unit) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long before = written.get();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        for (int b; (b = next.getAndIncrement()) < batches; ) {
          final int index = b;
          Integer n = tx.execute(s -> unit.apply(index));
          long total = written.addAndGet(n);
          progress(what, total - before, start);
        }
        return null;
      }));
    }
    pool.shutdown();
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long n = written.get() - before;
    System.out.printf("  %-48s %,9d resources in %6.1f s: %6.0f resources/s%n", what, n, seconds, n / seconds);
  }

  final AtomicLong lastReport = new AtomicLong(System.nanoTime());

  void progress(String what, long n, long start) {
    long now = System.nanoTime();
    long last = lastReport.get();
    if (now - last > 15_000_000_000L && lastReport.compareAndSet(last, now)) {
      System.out.printf("    %s: %,d so far, %.0f resources/s, load average %s%n", what, n,
          n / ((now - start) / 1e9), loadAverage());
    }
  }

  String create(IBaseResource r) {
    return writer.write(WriteRequest.create(r, LOADER)).id().getIdPart();
  }

  void loadPractitioners(int n) throws Exception {
    String[] ids = new String[n];
    int batches = (n + batch - 1) / batch;
    run("Practitioner", batches, b -> {
      int from = b * batch;
      int to = Math.min(n, from + batch);
      for (int i = from; i < to; i++) {
        ids[i] = create(practitioner(i));
      }
      return to - from;
    });
    practitioners = List.of(ids);
  }

  void loadPatients(int n) throws Exception {
    patients = new PatientRow[n];
    int batches = (n + batch - 1) / batch;
    run("Patient", batches, b -> {
      int from = b * batch;
      int to = Math.min(n, from + batch);
      for (int i = from; i < to; i++) {
        SplittableRandom rnd = random(1, i);
        String mrn = mrn(i);
        patients[i] = new PatientRow(create(patient(rnd, mrn)), mrn);
      }
      return to - from;
    });
  }

  /** One order is three resources; a batch holds batch/3 orders, created SR, IS, DR in turn. */
  void loadOrders(int n) throws Exception {
    orders = new OrderRow[n];
    int perBatch = Math.max(1, batch / 3);
    int batches = (n + perBatch - 1) / perBatch;
    run("ServiceRequest + ImagingStudy + DiagnosticReport", batches, b -> {
      int from = b * perBatch;
      int to = Math.min(n, from + perBatch);
      for (int i = from; i < to; i++) {
        orders[i] = createOrder(i);
      }
      return 3 * (to - from);
    });
  }

  OrderRow createOrder(int i) {
    SplittableRandom rnd = random(2, i);
    int patient = rnd.nextInt(patients.length);
    String patientRef = "Patient/" + patients[patient].id();
    Procedure proc = pickProcedure(rnd);
    String requester = "Practitioner/" + practitioners.get(rnd.nextInt(practitioners.size()));
    String radiologist = "Practitioner/" + practitioners.get(rnd.nextInt(practitioners.size()));
    // authored at any time in the last two years (working hours, roughly)
    Instant authored = now.minus(rnd.nextLong(730L * 24 * 3600), ChronoUnit.SECONDS);
    int p = rnd.nextInt(100);
    String status = p < 30 ? "active" : p < 95 ? "completed" : p < 98 ? "revoked" : "on-hold";
    String accession = String.format(Locale.ROOT, "ACC%09d", i + 1);
    String studyUid = uid(rnd);

    String sr = create(serviceRequest(rnd, i, status, proc, patientRef, requester, authored));
    Instant started = authored.plus(1 + rnd.nextInt(72 * 60), ChronoUnit.MINUTES);
    String is = create(imagingStudy(rnd, studyUid, accession, proc, patientRef, "ServiceRequest/" + sr,
        requester, started));
    String dr = create(diagnosticReport(rnd, i, proc, patientRef, "ServiceRequest/" + sr, "ImagingStudy/" + is,
        radiologist, started));
    return new OrderRow(sr, is, dr, patient, studyUid, accession, status);
  }

  SplittableRandom random(int kind, int i) {
    return new SplittableRandom(seed * 1_000_003L + kind * 10_000_019L + i);
  }

  static Procedure pickProcedure(SplittableRandom rnd) {
    int total = 0;
    for (int w : PROCEDURE_WEIGHTS) total += w;
    int x = rnd.nextInt(total);
    for (int k = 0; k < PROCEDURES.length; k++) {
      x -= PROCEDURE_WEIGHTS[k];
      if (x < 0) return PROCEDURES[k];
    }
    return PROCEDURES[0];
  }

  /** Unique, not sequential: the medical record number of Patient i. */
  static String mrn(int i) {
    // a bijection of [0, 10^8) (multiplier coprime with 10), so values are unique and scattered
    long v = (i * 48_271L + 12_345L) % 100_000_000L;
    return String.format(Locale.ROOT, "%08d", v);
  }

  /** A UUID-derived DICOM UID (PS3.5 B.2): "2.25." and a 128-bit number in decimal. */
  static String uid(SplittableRandom rnd) {
    byte[] b = new byte[16];
    long hi = rnd.nextLong();
    long lo = rnd.nextLong();
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (hi >>> (56 - 8 * k));
      b[8 + k] = (byte) (lo >>> (56 - 8 * k));
    }
    return "2.25." + new BigInteger(1, b);
  }

  // ---- resources ----

  Practitioner practitioner(int i) {
    SplittableRandom rnd = random(0, i);
    boolean female = rnd.nextBoolean();
    Practitioner p = new Practitioner();
    p.addIdentifier().setSystem(GLN_SYSTEM).setValue(String.format(Locale.ROOT, "76010000%05d", i));
    p.setActive(true);
    p.addName().setFamily(pick(rnd, FAMILY)).addGiven(pick(rnd, female ? GIVEN_FEMALE : GIVEN_MALE)).addPrefix("Dr. med.");
    p.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
    p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(String.format(Locale.ROOT,
        "+41 44 255 %04d", i)).setUse(ContactPoint.ContactPointUse.WORK);
    return p;
  }

  static Patient patient(SplittableRandom rnd, String mrn) {
    boolean female = rnd.nextBoolean();
    Patient p = new Patient();
    p.addIdentifier().setUse(Identifier.IdentifierUse.USUAL).setSystem(MRN_SYSTEM).setValue(mrn)
        .setType(new CodeableConcept(new Coding(V2_0203, "MR", "Medical record number")));
    p.addIdentifier().setSystem(AHV_SYSTEM).setValue(String.format(Locale.ROOT, "756.%04d.%04d.%02d",
        rnd.nextInt(10_000), rnd.nextInt(10_000), rnd.nextInt(100)));
    p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(pick(rnd, FAMILY))
        .addGiven(pick(rnd, female ? GIVEN_FEMALE : GIVEN_MALE));
    p.setGender(female ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
    p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(String.format(Locale.ROOT, "%d-%02d-%02d",
        1930 + rnd.nextInt(92), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28))));
    String[] city = pick(rnd, CITIES).split(" ");
    p.addAddress().setUse(Address.AddressUse.HOME).addLine(String.format(Locale.ROOT, "%s %d",
        pick(rnd, new String[] {"Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse", "Seestrasse"}), 1 + rnd.nextInt(120)))
        .setCity(city[0].equals("St.") ? "St. Gallen" : city[0]).setPostalCode(city[city.length - 1]).setCountry("CH");
    p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setUse(ContactPoint.ContactPointUse.HOME)
        .setValue(String.format(Locale.ROOT, "+41 7%d %03d %02d %02d", 6 + rnd.nextInt(4), rnd.nextInt(1000),
            rnd.nextInt(100), rnd.nextInt(100)));
    return p;
  }

  static ServiceRequest serviceRequest(SplittableRandom rnd, int i, String status, Procedure proc, String patient,
      String requester, Instant authored) {
    ServiceRequest sr = new ServiceRequest();
    sr.addIdentifier().setSystem(PLACER_SYSTEM).setValue(String.format(Locale.ROOT, "ORD%09d", i + 1))
        .setType(new CodeableConcept(new Coding(V2_0203, "PLAC", "Placer Identifier")));
    sr.setStatus(ServiceRequest.ServiceRequestStatus.fromCode(status));
    sr.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
    sr.addCategory(new CodeableConcept(new Coding(SNOMED, "363679005", "Imaging")));
    int pr = rnd.nextInt(100);
    sr.setPriority(pr < 80 ? ServiceRequest.ServiceRequestPriority.ROUTINE
        : pr < 95 ? ServiceRequest.ServiceRequestPriority.URGENT : ServiceRequest.ServiceRequestPriority.STAT);
    sr.setCode(new CodeableConcept(new Coding(LOINC, proc.loinc(), proc.display())).setText(proc.display()));
    sr.setSubject(new Reference(patient));
    sr.setAuthoredOnElement(new DateTimeType(Date.from(authored), ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
        java.util.TimeZone.getTimeZone("UTC")));
    sr.setRequester(new Reference(requester));
    sr.addBodySite(new CodeableConcept(new Coding(SNOMED, proc.bodySite(), proc.bodySiteDisplay())));
    sr.addReasonCode().setText(pick(rnd, new String[] {"Rule out pneumonia", "Follow-up", "Trauma",
        "Persistent headache", "Screening", "Abdominal pain", "Staging"}));
    return sr;
  }

  static ImagingStudy imagingStudy(SplittableRandom rnd, String studyUid, String accession, Procedure proc,
      String patient, String basedOn, String referrer, Instant started) {
    ImagingStudy is = new ImagingStudy();
    is.addIdentifier().setSystem("urn:dicom:uid").setValue("urn:oid:" + studyUid);
    is.addIdentifier().setSystem(ACCESSION_SYSTEM).setValue(accession)
        .setType(new CodeableConcept(new Coding(V2_0203, "ACSN", "Accession ID")));
    is.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
    is.addModality(new Coding(DCM, proc.modality(), null));
    is.setSubject(new Reference(patient));
    is.setStartedElement(new DateTimeType(Date.from(started), ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
        java.util.TimeZone.getTimeZone("UTC")));
    is.addBasedOn(new Reference(basedOn));
    is.setReferrer(new Reference(referrer));
    is.addProcedureCode(new CodeableConcept(new Coding(LOINC, proc.loinc(), proc.display())));
    is.setDescription(proc.display());
    int instances = 0;
    for (int s = 1; s <= 2; s++) {
      int count = 4 + rnd.nextInt(3); // about five instances a series
      ImagingStudy.ImagingStudySeriesComponent series = is.addSeries();
      series.setUid(uid(rnd)).setNumber(s).setModality(new Coding(DCM, proc.modality(), null))
          .setDescription(s == 1 ? proc.series1() : proc.series2()).setNumberOfInstances(count)
          .setBodySite(new Coding(SNOMED, proc.bodySite(), proc.bodySiteDisplay()))
          .setStartedElement(new DateTimeType(Date.from(started.plus(s * 3L, ChronoUnit.MINUTES)),
              ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC")));
      for (int k = 1; k <= count; k++) {
        series.addInstance().setUid(uid(rnd)).setNumber(k)
            .setSopClass(new Coding("urn:ietf:rfc:3986", "urn:oid:" + proc.sopClass(), null));
      }
      instances += count;
    }
    is.setNumberOfSeries(2);
    is.setNumberOfInstances(instances);
    return is;
  }

  static DiagnosticReport diagnosticReport(SplittableRandom rnd, int i, Procedure proc, String patient,
      String basedOn, String study, String radiologist, Instant started) {
    DiagnosticReport dr = new DiagnosticReport();
    dr.addIdentifier().setSystem(REPORT_SYSTEM).setValue(String.format(Locale.ROOT, "RPT%09d", i + 1));
    dr.addBasedOn(new Reference(basedOn));
    dr.setStatus(rnd.nextInt(100) < 95 ? DiagnosticReport.DiagnosticReportStatus.FINAL
        : DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
    dr.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")));
    dr.setCode(new CodeableConcept(new Coding(LOINC, proc.loinc(), proc.display())));
    dr.setSubject(new Reference(patient));
    dr.setEffective(new DateTimeType(Date.from(started), ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
        java.util.TimeZone.getTimeZone("UTC")));
    dr.setIssuedElement(new InstantType(Date.from(started.plus(30 + rnd.nextInt(48 * 60), ChronoUnit.MINUTES))));
    dr.addResultsInterpreter(new Reference(radiologist));
    dr.addImagingStudy(new Reference(study));
    dr.setConclusion(pick(rnd, new String[] {"No acute findings.", "No pulmonary embolism. No acute cardiopulmonary findings.",
        "Findings consistent with pneumonia of the right lower lobe.", "Stable findings compared with the prior study.",
        "No intracranial haemorrhage.", "BI-RADS 1: negative."}));
    return dr;
  }

  static <T> T pick(SplittableRandom rnd, T[] values) {
    return values[rnd.nextInt(values.length)];
  }

  // ---- values for SearchBench ----

  void writeValues(Path out) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("patients.tsv"))) {
      w.write("patient_id\tmrn_system\tmrn\n");
      for (PatientRow p : patients) {
        w.write(p.id() + "\t" + MRN_SYSTEM + "\t" + p.mrn() + "\n");
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("orders.tsv"))) {
      w.write("sr_id\tis_id\tdr_id\tpatient_id\tmrn\tstudy_uid\taccession\tsr_status\n");
      for (OrderRow o : orders) {
        PatientRow p = patients[o.patient()];
        w.write(String.join("\t", o.sr(), o.is(), o.dr(), p.id(), p.mrn(), o.studyUid(), o.accession(), o.status()));
        w.write('\n');
      }
    }
    System.out.println("values for SearchBench written to " + out);
  }
}
