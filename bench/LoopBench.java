import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop under load (run by loop-run.sh): N concurrent loops ("community centres"), each with its
 * own MLLP connection, running back to back for S seconds. One loop = ORM^O01 in → the outbound
 * ORM at the hospital RIS (hop 1) → the study registered (REST ImagingStudy, hop 2) → ORU^R01 from
 * the RIS → the outbound ORU at the centre's HIS (hop 3). RadBridge's time per loop is the sum of
 * the three hops (message in to message out; the receivers are local and answer AA at once).
 * Checks that every order and report arrives exactly once.
 *   java bench/LoopBench.java HTTP_PORT MLLP_PORT RIS_PORT HIS_PORT [loops] [seconds]
 */
public class LoopBench {
  /** Arrival time per "TYPE accession", completed by the receivers; the loops wait on it (no polling). */
  static final Map<String, java.util.concurrent.CompletableFuture<Long>> arrived = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> copies = new ConcurrentHashMap<>();
  static final HttpClient HTTP = BenchSupport.http();

  public static void main(String[] args) throws Exception {
    int http = Integer.parseInt(args[0]);
    int mllp = Integer.parseInt(args[1]);
    receiver(Integer.parseInt(args[2]));
    receiver(Integer.parseInt(args[3]));
    int loops = args.length > 4 ? Integer.parseInt(args[4]) : 50;
    int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 60;
    String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36).toUpperCase();
    String base = "http://127.0.0.1:" + http + "/fhir";
    List<long[]> results = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failures = new AtomicInteger();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(loops);
    for (int c = 0; c < loops; c++) {
      int centre = c;
      new Thread(() -> {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), mllp)) {
          s.setTcpNoDelay(true);
          s.setSoTimeout(60_000);
          for (int i = 0; System.nanoTime() < end; i++) {
            try {
              results.add(loop(s, base, run + "C" + centre + "N" + i, centre));
            } catch (Exception e) {
              if (failures.incrementAndGet() <= 3) {
                System.out.println("loop failed: " + e.getMessage());
              }
            }
          }
        } catch (Exception e) {
          System.out.println("centre " + centre + ": " + e);
        } finally {
          done.countDown();
        }
      }).start();
    }
    done.await();
    Thread.sleep(2000); // late duplicates, if any
    long[] total = results.stream().mapToLong(r -> r[0] + r[1] + r[2]).sorted().toArray();
    long[] h1 = results.stream().mapToLong(r -> r[0]).sorted().toArray();
    long[] h2 = results.stream().mapToLong(r -> r[1]).sorted().toArray();
    long[] h3 = results.stream().mapToLong(r -> r[2]).sorted().toArray();
    int dup = (int) copies.values().stream().filter(n -> n.get() > 1).count();
    System.out.printf("%d loops in %d s by %d concurrent centres (%.1f loops/s); failed: %d; messages received more than"
        + " once: %d; expected %d ORM + %d ORU, received %d distinct%n", total.length, seconds, loops,
        total.length / (double) seconds, failures.get(), dup, total.length, total.length, copies.size());
    print("RadBridge's time per loop (hop 1 + 2 + 3)", total);
    print("  hop 1: ORM in -> ORM at the RIS", h1);
    print("  hop 2: study registered (REST)", h2);
    print("  hop 3: ORU in -> ORU at the HIS", h3);
    print("  of hop 1, ORM in -> its ACK", results.stream().mapToLong(r -> r[3]).sorted().toArray());
    print("  of hop 3, ORU in -> its ACK", results.stream().mapToLong(r -> r[4]).sorted().toArray());
  }

  static void print(String what, long[] v) {
    if (v.length == 0) {
      System.out.println(what + ": no data");
      return;
    }
    System.out.printf("%s: %s%n", what, BenchSupport.summary(v, 0));
  }

  static long[] loop(Socket s, String base, String acc, int centre) throws Exception {
    String mrn = "LB" + centre;
    long t0 = System.nanoTime();
    send(s, String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ORM^O01|O" + acc + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + mrn + "^^^CENTRE_A_MRN^MR||王^芳" + centre + "||19700312|F",
        "ORC|NW|PL-" + acc + "^HIS_A|||||^^^20261207100000^^R|||||D0042^Wang^Li",
        "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN" + "|".repeat(14) + acc));
    long a1 = System.nanoTime() - t0;
    long h1 = await("ORM " + acc) - t0;
    String order = id(get(base + "/ServiceRequest?identifier=https://radbridge.org/fhir/sid/centre-a/accession|" + acc), "ServiceRequest");
    String subject = field(get(base + "/ServiceRequest/" + order), "\"subject\":{\"reference\":\"");
    long t1 = System.nanoTime();
    post(base + "/ImagingStudy", "{\"resourceType\":\"ImagingStudy\",\"status\":\"available\",\"subject\":{\"reference\":\""
        + subject + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + order + "\"}]}");
    long h2 = System.nanoTime() - t1;
    long t2 = System.nanoTime();
    send(s, String.join("\r",
        "MSH|^~\\&|RIS_CITY|CITY_HOSP|RADBRIDGE|NETWORK|20261207094500||ORU^R01^ORU_R01|R" + acc + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + mrn + "^^^CENTRE_A_MRN^MR||王^芳",
        "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN|||20261207093000" + "|".repeat(11) + acc
            + "||||20261207094500|||F|||||||R0007&Chen&Mei",
        "OBX|1|TX|18782-3^Radiology Study observation^LN||No intracranial haemorrhage.||||||F"));
    long a3 = System.nanoTime() - t2;
    long h3 = await("ORU " + acc) - t2;
    return new long[] {h1, h2, h3, a1, a3};
  }

  static void send(Socket s, String msg) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(0x0b);
    out.write(msg.getBytes(StandardCharsets.UTF_8));
    out.write(new byte[] {0x1c, 0x0d});
    out.flush();
    String ack = frame(s.getInputStream());
    if (ack == null || !ack.contains("MSA|AA")) {
      throw new IllegalStateException("not AA: " + ack);
    }
  }

  static java.util.concurrent.CompletableFuture<Long> arrival(String key) {
    return arrived.computeIfAbsent(key, k -> new java.util.concurrent.CompletableFuture<>());
  }

  static long await(String key) throws Exception {
    try {
      return arrival(key).get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(key + " did not arrive within 60 s");
    } finally {
      arrived.remove(key);
    }
  }

  /** A local MLLP receiver (the hospital RIS, the centre HIS): records arrival per type and accession, answers AA. */
  static void receiver(int port) throws Exception {
    ServerSocket server = new ServerSocket(port, 100, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (true) {
        try {
          Socket c = server.accept();
          new Thread(() -> serve(c)).start();
        } catch (Exception e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
  }

  static void serve(Socket c) {
    try (c) {
      c.setTcpNoDelay(true);
      while (true) {
        String m = frame(c.getInputStream());
        if (m == null) {
          return;
        }
        long now = System.nanoTime();
        String[] segs = m.split("\r");
        String[] msh = segs[0].split("\\|", -1);
        String type = msh[8].split("\\^")[0];
        String acc = null;
        for (String seg : segs) {
          if (seg.startsWith("OBR|")) {
            String[] f = seg.split("\\|", -1);
            acc = f.length > 18 ? f[18] : null;
          }
        }
        if (acc != null) {
          arrival(type + " " + acc).complete(now);
        }
        copies.computeIfAbsent(msh[9], k -> new AtomicInteger()).incrementAndGet();
        String ack = "MSH|^~\\&|" + msh[4] + "|" + msh[5] + "|" + msh[2] + "|" + msh[3] + "|20261207000000||ACK|A" + msh[9]
            + "|P|2.5.1\rMSA|AA|" + msh[9];
        OutputStream out = c.getOutputStream();
        out.write(0x0b);
        out.write(ack.getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {0x1c, 0x0d});
        out.flush();
      }
    } catch (Exception e) {
      // sender gone
    }
  }

  static String frame(InputStream in) throws Exception {
    int b;
    while ((b = in.read()) != 0x0b) {
      if (b < 0) {
        return null;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while ((b = in.read()) != 0x1c) {
      if (b < 0) {
        return null;
      }
      body.write(b);
    }
    in.read();
    return body.toString(StandardCharsets.UTF_8);
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url.replace("|", "%7C"))).header("Accept",
        "application/fhir+json").build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static void post(String url, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/fhir+json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(r.statusCode() + " " + r.body());
    }
  }

  static String id(String bundle, String type) {
    return field(bundle, "\"resourceType\":\"" + type + "\",\"id\":\"");
  }

  static String field(String json, String prefix) {
    int i = json.indexOf(prefix);
    if (i < 0) {
      throw new IllegalStateException("no " + prefix + " in " + json.substring(0, Math.min(300, json.length())));
    }
    int start = i + prefix.length();
    return json.substring(start, json.indexOf('"', start));
  }
}
