import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;

/**
 * What every benchmark shares, compiled with each one by {@code bench_java} (server.sh): the HTTP
 * client they talk to the server with, and the one latency arithmetic (nearest-rank percentiles of
 * samples in nanoseconds, reported in milliseconds), so every benchmark means the same by p99.
 */
final class BenchSupport {
  private BenchSupport() {}

  /** HTTP/1.1 (the default, HTTP/2, would offer an h2c upgrade on every new connection), 5 s to connect. */
  static HttpClient http() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The nearest-rank percentile ({@code p} in 0..1) of the samples, in ms; 0 when there are none. */
  static double percentileMs(long[] nanos, double p) {
    if (nanos.length == 0) {
      return 0;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(rank - 1, 0)] / 1e6;
  }

  static double maxMs(long[] nanos) {
    return Arrays.stream(nanos).max().orElse(0) / 1e6;
  }

  /** "p50 x ms, p90 y ms, p99 z ms, max w ms" with {@code decimals} digits. */
  static String summary(long[] nanos, int decimals) {
    String f = "%." + decimals + "f";
    return String.format(java.util.Locale.ROOT, "p50 " + f + " ms, p90 " + f + " ms, p99 " + f + " ms, max " + f + " ms",
        percentileMs(nanos, 0.50), percentileMs(nanos, 0.90), percentileMs(nanos, 0.99), maxMs(nanos));
  }
}
