import java.util.Arrays;

/**
 * The one latency arithmetic of the benchmarks: nearest-rank percentiles of samples in
 * nanoseconds, reported in milliseconds. Compiled with each benchmark by {@code bench_java}
 * (server.sh), so every benchmark means the same thing by p50, p90 and p99.
 */
final class Latencies {
  private Latencies() {}

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
