import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HL7 v2 benchmark against a running RadBridge server (run by hl7-run.sh): ORM^O01 new orders sent
 * one after another over ONE MLLP connection, each waiting for its ACK as MLLP senders do; reports
 * messages/s and ACK latency (p50/p90/p99/max) after a warmup. Each order has its own accession
 * number; patients come from a pool of 500 MRNs, so most messages find their patient.
 *   java bench/Hl7Bench.java PORT [messages] [warmup]
 */
public class Hl7Bench {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36).toUpperCase();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long[] nanos = new long[n];
      int errors = 0;
      String firstError = null;
      long started = 0;
      for (int i = -warmup; i < n; i++) {
        if (i == 0) {
          started = System.nanoTime();
        }
        byte[] msg = orm(run, i + warmup).getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        out.write(0x0b);
        out.write(msg);
        out.write(new byte[] {0x1c, 0x0d});
        out.flush();
        String ack = readFrame(in);
        long t = System.nanoTime() - t0;
        if (!ack.contains("MSA|AA")) {
          errors++;
          if (firstError == null) {
            firstError = ack.replace('\r', '\n');
          }
        }
        if (i >= 0) {
          nanos[i] = t;
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      Arrays.sort(nanos);
      System.out.printf("ORM^O01 over one MLLP connection: %d messages (after %d warmup) in %.2f s = %.0f messages/s%n",
          n, warmup, seconds, n / seconds);
      System.out.printf("ACK latency: %s; not AA: %d%n", BenchSupport.summary(nanos, 2), errors);
      if (firstError != null) {
        System.out.println("first refusal:\n" + firstError);
      }
    }
  }

  static String orm(String run, int i) {
    String acc = "B" + run + i;
    String mrn = "BM" + (i % 500);
    return String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ORM^O01|" + run + "-" + i + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + mrn + "^^^CENTRE_A_MRN^MR||张^伟" + (i % 500) + "||19610417|M",
        "ORC|NW|PL-" + acc + "^HIS_A|||||^^^20261207100000^^R|||||D0042^Wang^Li",
        // OBR-4 procedure, OBR-18 accession, OBR-31 reason
        "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN" + "|".repeat(14) + acc
            + "|".repeat(13) + "^Persistent headache");
  }

  static String readFrame(InputStream in) throws Exception {
    int b;
    while ((b = in.read()) != 0x0b) {
      if (b < 0) {
        throw new IllegalStateException("connection closed");
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while ((b = in.read()) != 0x1c) {
      body.write(b);
    }
    in.read();
    return body.toString(StandardCharsets.UTF_8);
  }
}
