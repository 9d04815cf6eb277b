import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Loads Synthea's FHIR R4 transaction bundles into a RadBridge server, one POST /fhir per bundle,
 * and checks per resource type that the server stores as many resources as the bundles hold.
 * Needs Gson on the class path (Synthea's class path has it) and is compiled with BenchSupport.java
 * (its HTTP client, which sends the token); bench/synthea-load.sh compiles and runs it:
 * {@code javac -cp <synthea class path> -d DIR bench/BenchSupport.java bench/SyntheaLoad.java &&
 * RADBRIDGE_ADMIN_CLIENT=<data-dir>/admin-client.json java -cp DIR:<synthea class path> SyntheaLoad
 * --base URL --dir <synthea output>/fhir}.
 * See bench/README.md, "Transactions and Synthea".
 */
public class SyntheaLoad {
  /** What one bundle file holds: entries, and per type the keys of the distinct resources it creates. */
  record Content(Path file, String type, int entries, Map<String, Set<String>> keys, int living, int deceased,
      String patientIdentifier, Map<String, Integer> linked) {}

  /** The answer to one bundle. */
  record Outcome(Path file, int entries, int status, long nanos, int created, int matched, String failure) {}

  public static void main(String[] args) throws Exception {
    String base = "http://127.0.0.1:8080/fhir";
    Path dir = null;
    int clients = 1;
    boolean minimal = true;
    boolean check = true;
    boolean resolveRefs = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--base" -> base = args[++i].replaceAll("/+$", "");
        case "--dir" -> dir = Path.of(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--prefer" -> minimal = switch (args[++i]) {
          case "minimal" -> true;
          case "representation" -> false;
          default -> throw new IllegalArgumentException("--prefer minimal|representation");
        };
        case "--no-check" -> check = false;
        case "--resolve-refs" -> resolveRefs = true;
        default -> {
          System.err.println("""
              usage: java -cp <class path with Gson> bench/SyntheaLoad.java --dir DIR [options]
                --base URL       FHIR base URL (default http://127.0.0.1:8080/fhir)
                --dir DIR        Synthea's fhir output directory (*.json transaction bundles)
                --clients N      patient bundles posted at once (default 1); the hospital and
                                 practitioner bundles always go first, one at a time
                --prefer P       minimal (default) or representation: the Prefer: return= header
                --no-check       skip the count check
                --resolve-refs   diagnostic: before the (timed) patient bundles, replace their
                                 conditional references (Practitioner?identifier=...) by the ids
                                 they resolve to, untimed, to show what resolving them costs""");
          System.exit(2);
        }
      }
    }
    if (dir == null || clients < 1) {
      System.err.println("--dir is required; --clients must be at least 1");
      System.exit(2);
    }

    // Hospitals (Organization, Location) and practitioners first: the patient bundles refer to
    // them by conditional references (Organization?identifier=...), which must find them.
    List<Path> reference = new ArrayList<>();
    List<Path> patients = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        String name = f.getFileName().toString();
        (name.startsWith("hospitalInformation") || name.startsWith("practitionerInformation") ? reference : patients).add(f);
      }
    }
    reference.sort(Comparator.comparing(p -> p.getFileName().toString().startsWith("hospital") ? 0 : 1));
    if (reference.isEmpty() || patients.isEmpty()) {
      System.err.println("no hospitalInformation/practitionerInformation or no patient bundles in " + dir);
      System.exit(2);
    }

    // Expected counts, before anything is timed.
    Map<String, Set<String>> expected = new TreeMap<>();
    Map<Path, Content> contents = new java.util.HashMap<>();
    long totalBytes = 0;
    for (Path f : concat(reference, patients)) {
      Content c = read(f);
      contents.put(f, c);
      c.keys.forEach((type, keys) -> expected.computeIfAbsent(type, k -> new HashSet<>()).addAll(keys));
      totalBytes += Files.size(f);
    }
    int totalEntries = contents.values().stream().mapToInt(Content::entries).sum();
    Content biggest = contents.values().stream().max(Comparator.comparingInt(Content::entries)).orElseThrow();
    Map<String, Long> types = new TreeMap<>();
    contents.values().forEach(c -> types.merge(c.type, 1L, Long::sum));
    System.out.println("bundle types: " + types);
    System.out.printf(Locale.ROOT, "%d bundles (%d hospital/practitioner, %d patient: %d living, %d deceased),"
        + " %d entries, %.0f MB; largest %s: %d entries, %.1f MB%n", contents.size(), reference.size(),
        patients.size(), contents.values().stream().mapToInt(Content::living).sum(),
        contents.values().stream().mapToInt(Content::deceased).sum(), totalEntries, totalBytes / 1e6,
        biggest.file.getFileName(), biggest.entries, Files.size(biggest.file) / 1e6);

    HttpClient http = BenchSupport.http();
    Loader loader = new Loader(http, base, minimal, contents);
    System.out.printf("posting, Prefer: return=%s, %d client(s) for the patient bundles%n",
        minimal ? "minimal" : "representation", clients);
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    List<Outcome> outcomes = new ArrayList<>(loader.post(reference, 1));
    long t1 = System.nanoTime();
    long cpu1 = cpuNanos();
    if (resolveRefs) {
      resolveConditionalReferences(http, base, patients, loader.bodies);
    }
    long untimed = System.nanoTime() - t1;
    long untimedCpu = cpuNanos() - cpu1;
    t1 += untimed;
    t0 += untimed;
    outcomes.addAll(loader.post(patients, clients));
    long t2 = System.nanoTime();
    long clientCpu = cpuNanos() - cpu0 - untimedCpu;
    loader.bodies.values().forEach(f -> f.toFile().delete());

    List<Outcome> failed = outcomes.stream().filter(o -> o.failure != null).toList();
    for (Outcome o : failed) {
      System.out.printf("FAILED %s (%d entries): %s%n", o.file.getFileName(), o.entries, o.failure);
    }
    int okEntries = outcomes.stream().filter(o -> o.failure == null).mapToInt(Outcome::entries).sum();
    int okBundles = outcomes.size() - failed.size();
    double s = (t2 - t0) / 1e9;
    System.out.println();
    System.out.printf(Locale.ROOT, "hospital/practitioner bundles: %d entries in %.2f s%n",
        reference.stream().mapToInt(f -> contents.get(f).entries).sum(), (t1 - t0) / 1e9);
    System.out.printf(Locale.ROOT, "patient bundles: %d entries in %.2f s (%.0f resources/s)%n",
        patients.stream().mapToInt(f -> contents.get(f).entries).sum(), (t2 - t1) / 1e9,
        patients.stream().mapToInt(f -> contents.get(f).entries).sum() / ((t2 - t1) / 1e9));
    System.out.printf(Locale.ROOT, "load: %d of %d bundles, %d entries in %.2f s: %.0f resources/s, %.2f bundles/s"
        + " (client CPU %.1f s)%n", okBundles, outcomes.size(), okEntries, s, okEntries / s, okBundles / s,
        clientCpu / 1e9);
    System.out.printf(Locale.ROOT, "entry statuses: %d 201 Created, %d 200 OK (conditional create matched)%n",
        outcomes.stream().mapToInt(Outcome::created).sum(), outcomes.stream().mapToInt(Outcome::matched).sum());
    System.out.println("slowest bundles:");
    outcomes.stream().sorted(Comparator.comparingLong(Outcome::nanos).reversed()).limit(3).forEach(o ->
        System.out.printf(Locale.ROOT, "  %-60s %6d entries %7.2f s %6.0f resources/s%n", o.file.getFileName(),
            o.entries, o.nanos / 1e9, o.entries / (o.nanos / 1e9)));

    boolean countsOk = true;
    if (check) {
      // Every entry of the hospital bundle is a conditional create (ifNoneExist); posted again, each
      // must find the resource the first post created (200) and create nothing.
      for (Path f : reference) {
        if (f.getFileName().toString().startsWith("hospitalInformation")) {
          Outcome again = loader.postOne(f);
          boolean ok = again.failure == null && again.created == 0 && again.matched == again.entries;
          countsOk &= ok;
          System.out.printf("posted %s again: %s%n", f.getFileName(), again.failure != null ? again.failure
              : again.matched + " entries 200 OK (matched), " + again.created + " 201 Created" + (ok ? ", ok" : ", WRONG"));
        }
      }
      countsOk &= checkCounts(http, base, expected);
      List<Content> loaded = outcomes.stream().filter(o -> o.failure == null).map(o -> contents.get(o.file))
          .filter(c -> c.patientIdentifier != null).toList();
      countsOk &= checkPatients(http, base, loaded);
    }
    if (!failed.isEmpty() || !countsOk) {
      System.err.println((failed.isEmpty() ? "" : failed.size() + " bundle(s) failed; ")
          + (countsOk ? "" : "stored counts differ from the bundles"));
      System.exit(1);
    }
  }

  static final java.util.regex.Pattern CONDITIONAL_REF =
      java.util.regex.Pattern.compile("\"(Location|Organization|Practitioner)\\?(identifier=[^\"]*)\"");

  /**
   * Writes a copy of every patient bundle whose conditional references name the resources they
   * resolve to (one search per distinct reference), and makes the loader send those copies.
   */
  static void resolveConditionalReferences(HttpClient http, String base, List<Path> files, Map<Path, Path> bodies)
      throws IOException, InterruptedException {
    Map<String, String> resolved = new java.util.HashMap<>();
    Path dir = Files.createTempDirectory("synthea-resolved");
    dir.toFile().deleteOnExit();
    for (Path f : files) {
      String json = Files.readString(f);
      java.util.regex.Matcher m = CONDITIONAL_REF.matcher(json);
      StringBuilder out = new StringBuilder(json.length());
      while (m.find()) {
        String ref = m.group(1) + "?" + m.group(2);
        String id = resolved.get(ref);
        if (id == null) {
          String[] kv = m.group(2).split("=", 2);
          JsonObject b = getJson(http, base + "/" + m.group(1) + "?identifier="
              + URLEncoder.encode(kv[1], StandardCharsets.UTF_8) + "&_elements=id");
          JsonArray hits = b != null && b.has("entry") ? b.getAsJsonArray("entry") : new JsonArray();
          if (hits.size() != 1) {
            throw new IllegalStateException(ref + " matches " + hits.size() + " resources");
          }
          id = m.group(1) + "/" + str(hits.get(0).getAsJsonObject().getAsJsonObject("resource"), "id");
          resolved.put(ref, id);
        }
        m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("\"" + id + "\""));
      }
      m.appendTail(out);
      Path copy = dir.resolve(f.getFileName());
      Files.writeString(copy, out);
      copy.toFile().deleteOnExit();
      bodies.put(f, copy);
    }
    System.out.printf("--resolve-refs: %d distinct conditional references resolved and replaced (untimed)%n",
        resolved.size());
  }

  static List<Path> concat(List<Path> a, List<Path> b) {
    List<Path> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
  }

  /**
   * The distinct resources a bundle creates, by type: a conditional create (ifNoneExist) is one
   * resource per type and criteria however often it appears; a PUT is its Type/id; any other
   * POST is a resource of its own.
   */
  static Content read(Path file) throws IOException {
    JsonObject bundle;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      bundle = JsonParser.parseReader(r).getAsJsonObject();
    }
    Map<String, Set<String>> keys = new TreeMap<>();
    JsonArray entries = bundle.has("entry") ? bundle.getAsJsonArray("entry") : new JsonArray();
    int i = 0;
    int living = 0;
    int deceased = 0;
    String patientFullUrl = null;
    String patientIdentifier = null;
    for (JsonElement e : entries) {
      JsonObject entry = e.getAsJsonObject();
      if (entry.has("resource") && "Patient".equals(str(entry.getAsJsonObject("resource"), "resourceType"))) {
        JsonObject p = entry.getAsJsonObject("resource");
        patientFullUrl = str(entry, "fullUrl");
        for (JsonElement id : p.has("identifier") ? p.getAsJsonArray("identifier") : new JsonArray()) {
          if (SYNTHEA_ID.equals(str(id.getAsJsonObject(), "system"))) {
            patientIdentifier = SYNTHEA_ID + "|" + str(id.getAsJsonObject(), "value");
          }
        }
        if (p.has("deceasedDateTime") || (p.has("deceasedBoolean") && p.get("deceasedBoolean").getAsBoolean())) {
          deceased++;
        } else {
          living++;
        }
      }
      JsonObject request = entry.getAsJsonObject("request");
      String method = request.get("method").getAsString();
      String url = request.get("url").getAsString();
      String type = entry.has("resource")
          ? entry.getAsJsonObject("resource").get("resourceType").getAsString() : url.split("[/?]")[0];
      String key = switch (method) {
        case "POST" -> request.has("ifNoneExist") ? "?" + request.get("ifNoneExist").getAsString()
            : file.getFileName() + "#" + i;
        case "PUT" -> url;
        default -> null; // DELETE, PATCH, GET create nothing new (Synthea sends none of them)
      };
      if (key != null) {
        keys.computeIfAbsent(type, k -> new HashSet<>()).add(key);
      }
      i++;
    }
    // Per type, the entries whose subject or patient is this bundle's Patient: what Type?patient= must find.
    Map<String, Integer> linked = new TreeMap<>();
    if (patientFullUrl != null) {
      for (JsonElement e : entries) {
        JsonObject r = e.getAsJsonObject().getAsJsonObject("resource");
        for (String field : List.of("subject", "patient")) {
          if (r != null && r.has(field) && r.get(field).isJsonObject()
              && patientFullUrl.equals(str(r.getAsJsonObject(field), "reference"))) {
            linked.merge(str(r, "resourceType"), 1, Integer::sum);
            break;
          }
        }
      }
    }
    return new Content(file, str(bundle, "type"), entries.size(), keys, living, deceased, patientIdentifier, linked);
  }

  static final String SYNTHEA_ID = "https://github.com/synthetichealth/synthea";

  static final class Loader {
    final HttpClient http;
    final String base;
    final boolean minimal;
    final Map<Path, Content> contents;
    /** What to send instead of a file (--resolve-refs). */
    final Map<Path, Path> bodies = new java.util.HashMap<>();

    Loader(HttpClient http, String base, boolean minimal, Map<Path, Content> contents) {
      this.http = http;
      this.base = base;
      this.minimal = minimal;
      this.contents = contents;
    }

    /** Posts the files from `clients` threads, each taking the next file when its last one answered. */
    List<Outcome> post(List<Path> files, int clients) throws InterruptedException {
      ConcurrentLinkedQueue<Outcome> out = new ConcurrentLinkedQueue<>();
      AtomicInteger next = new AtomicInteger();
      AtomicLong done = new AtomicLong();
      Runnable client = () -> {
        for (int i; (i = next.getAndIncrement()) < files.size(); ) {
          Outcome o = postOne(files.get(i));
          out.add(o);
          done.incrementAndGet();
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
      return new ArrayList<>(out);
    }

    Outcome postOne(Path file) {
      int entries = contents.get(file).entries;
      long start = System.nanoTime();
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base))
            .header("Content-Type", "application/fhir+json").header("Accept", "application/fhir+json")
            .timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.ofFile(bodies.getOrDefault(file, file)));
        if (minimal) {
          b.header("Prefer", "return=minimal");
        }
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - start;
        if (response.statusCode() != 200) {
          return new Outcome(file, entries, response.statusCode(), nanos, 0, 0,
              "HTTP " + response.statusCode() + "\n" + describeOutcome(response.body()));
        }
        JsonObject bundle = JsonParser.parseString(response.body()).getAsJsonObject();
        JsonArray answers = bundle.has("entry") ? bundle.getAsJsonArray("entry") : new JsonArray();
        int created = 0;
        int matched = 0;
        List<String> other = new ArrayList<>();
        for (JsonElement a : answers) {
          String status = a.getAsJsonObject().getAsJsonObject("response").get("status").getAsString();
          if (status.startsWith("201")) {
            created++;
          } else if (status.startsWith("200")) {
            matched++;
          } else if (other.size() < 5) {
            other.add(status);
          }
        }
        String failure = null;
        // Synthea's hospital and practitioner bundles are batches, the patient bundles transactions.
        String expectedType = contents.get(file).type + "-response";
        if (!expectedType.equals(str(bundle, "type")) || answers.size() != entries
            || !other.isEmpty()) {
          failure = "200, but the response is a " + str(bundle, "type") + " (expected " + expectedType + ") with "
              + answers.size() + " entries for " + entries + (other.isEmpty() ? "" : "; entry statuses " + other);
        }
        return new Outcome(file, entries, 200, nanos, created, matched, failure);
      } catch (IOException e) {
        return new Outcome(file, entries, -1, System.nanoTime() - start, 0, 0, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(file, entries, -1, System.nanoTime() - start, 0, 0, "interrupted");
      }
    }
  }

  /** The issues of an OperationOutcome, one a line; anything else abbreviated as it came. */
  static String describeOutcome(String body) {
    try {
      JsonObject oo = JsonParser.parseString(body).getAsJsonObject();
      if (oo.has("issue")) {
        StringBuilder sb = new StringBuilder();
        for (JsonElement e : oo.getAsJsonArray("issue")) {
          JsonObject issue = e.getAsJsonObject();
          sb.append("  ").append(str(issue, "severity")).append(' ').append(str(issue, "code")).append(": ")
              .append(str(issue, "diagnostics"));
          for (String where : List.of("expression", "location")) {
            if (issue.has(where)) {
              sb.append(" [").append(where).append(' ').append(issue.get(where)).append(']');
            }
          }
          sb.append('\n');
        }
        return sb.toString().stripTrailing();
      }
    } catch (RuntimeException ignored) {
      // not JSON
    }
    return "  " + (body.length() <= 2000 ? body : body.substring(0, 2000) + "...");
  }

  static String str(JsonObject o, String name) {
    return o.has(name) ? o.get(name).getAsString() : "";
  }

  /**
   * For every loaded patient bundle: finds its Patient by Synthea's identifier, and checks that
   * Type?patient=Patient/id finds as many resources of each type as the bundle linked to that
   * Patient by urn:uuid, so the references were rewritten to the Patient's new id (and indexed).
   */
  static boolean checkPatients(HttpClient http, String base, List<Content> loaded)
      throws IOException, InterruptedException {
    int checks = 0;
    List<String> wrong = new ArrayList<>();
    for (Content c : loaded) {
      JsonObject found = getJson(http, base + "/Patient?identifier="
          + URLEncoder.encode(c.patientIdentifier, StandardCharsets.UTF_8) + "&_elements=id");
      JsonArray hits = found != null && found.has("entry") ? found.getAsJsonArray("entry") : new JsonArray();
      if (hits.size() != 1) {
        wrong.add(c.file.getFileName() + ": Patient?identifier=" + c.patientIdentifier + " finds " + hits.size());
        continue;
      }
      String id = str(hits.get(0).getAsJsonObject().getAsJsonObject("resource"), "id");
      for (var e : c.linked.entrySet()) {
        JsonObject b = getJson(http, base + "/" + e.getKey() + "?patient=Patient/" + id + "&_summary=count");
        long total = b != null && b.has("total") ? b.get("total").getAsLong() : -1;
        checks++;
        if (total != e.getValue()) {
          wrong.add(c.file.getFileName() + ": " + e.getKey() + "?patient=Patient/" + id + " finds " + total
              + ", the bundle has " + e.getValue());
        }
      }
    }
    System.out.printf("per-patient check: %d patients, %d Type?patient= counts, %d wrong%n", loaded.size(), checks,
        wrong.size());
    wrong.stream().limit(20).forEach(w -> System.out.println("  " + w));
    return wrong.isEmpty();
  }

  /** GET as JSON; null (and the reason printed) unless 200. */
  static JsonObject getJson(HttpClient http, String url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/fhir+json")
        .timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      System.err.printf("GET %s -> %d %s%n", url, r.statusCode(), describeOutcome(r.body()));
      return null;
    }
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** GET [base]/Type?_summary=count for every type in the bundles and compares with the distinct resources. */
  static boolean checkCounts(HttpClient http, String base, Map<String, Set<String>> expected)
      throws IOException, InterruptedException {
    boolean allOk = true;
    List<String[]> rows = new ArrayList<>();
    long inBundles = 0;
    long stored = 0;
    for (var e : expected.entrySet()) {
      String type = e.getKey();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/"
          + URLEncoder.encode(type, StandardCharsets.UTF_8) + "?_summary=count"))
          .header("Accept", "application/fhir+json").timeout(Duration.ofMinutes(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      long total = -1;
      if (r.statusCode() == 200) {
        JsonObject b = JsonParser.parseString(r.body()).getAsJsonObject();
        total = b.has("total") ? b.get("total").getAsLong() : -1;
      } else {
        System.err.printf("GET %s?_summary=count -> %d %s%n", type, r.statusCode(), describeOutcome(r.body()));
      }
      boolean ok = total == e.getValue().size();
      allOk &= ok;
      inBundles += e.getValue().size();
      stored += Math.max(total, 0);
      rows.add(new String[] {type, Integer.toString(e.getValue().size()), Long.toString(total), ok ? "ok" : "MISMATCH"});
    }
    rows.add(new String[] {"total", Long.toString(inBundles), Long.toString(stored), allOk ? "ok" : "MISMATCH"});
    System.out.println();
    System.out.println("| type | in bundles | stored | ok |");
    System.out.println("|---|--:|--:|---|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
    System.out.println();
    return allOk;
  }
}
