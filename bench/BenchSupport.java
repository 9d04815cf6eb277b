import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * What every benchmark shares, compiled with each one by {@code bench_java} (server.sh): the HTTP
 * client they talk to the server with, which sends every request with the bench token, and the one
 * latency arithmetic (nearest-rank percentiles of samples in nanoseconds, reported in
 * milliseconds), so every benchmark means the same by p99.
 */
final class BenchSupport {
  private BenchSupport() {}

  /**
   * HTTP/1.1 (the default, HTTP/2, would offer an h2c upgrade on every new connection), 5 s to
   * connect; every request carries the bench token ({@link #withToken}).
   */
  static HttpClient http() {
    return withToken(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
  }

  /**
   * The Java benches' one token helper: {@code client}, sending every request with
   * {@code Authorization: Bearer <token>}. The token is the bootstrap administrator's, got with
   * client_secret_basic from the token endpoint of the server the request goes to, with the id,
   * secret and scope of the admin client file named by {@code -Dradbridge.admin-client} or
   * {@code RADBRIDGE_ADMIN_CLIENT} (the scripts pass {@code <data-dir>/admin-client.json}), and got
   * again a minute before it expires, so a run may last longer than a token. Without that file,
   * {@code RADBRIDGE_TOKEN} as it is (a server the bench did not start); without either, no header.
   */
  static HttpClient withToken(HttpClient client) {
    return Token.FILE == null && Token.FIXED == null ? client : new Authorized(client);
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

  /** The token, shared by every client and thread of the JVM. */
  private static final class Token {
    static final String FILE = Optional.ofNullable(System.getProperty("radbridge.admin-client"))
        .or(() -> Optional.ofNullable(System.getenv("RADBRIDGE_ADMIN_CLIENT"))).filter(s -> !s.isBlank()).orElse(null);
    static final String FIXED = Optional.ofNullable(System.getenv("RADBRIDGE_TOKEN")).filter(s -> !s.isBlank()).orElse(null);
    static final HttpClient PLAIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    static volatile String value;
    static volatile long renewAt; // System.nanoTime()

    static String of(URI target) {
      if (FILE == null) {
        return FIXED;
      }
      String v = value;
      if (v != null && System.nanoTime() - renewAt < 0) {
        return v;
      }
      synchronized (Token.class) {
        if (value == null || System.nanoTime() - renewAt >= 0) {
          fetch(target);
        }
        return value;
      }
    }

    private static void fetch(URI target) {
      try {
        String file = Files.readString(Path.of(FILE));
        String basic = Base64.getEncoder().encodeToString(
            (field(file, "client_id") + ":" + field(file, "client_secret")).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = PLAIN.send(HttpRequest.newBuilder(target.resolve(field(file, "token_endpoint")))
            .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope="
                + URLEncoder.encode(field(file, "scope"), StandardCharsets.UTF_8))).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("token endpoint " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        long seconds = Long.parseLong(field(r.body(), "expires_in"));
        value = field(r.body(), "access_token");
        renewAt = System.nanoTime() + Duration.ofSeconds(Math.max(seconds / 2, seconds - 60)).toNanos();
      } catch (IOException e) {
        throw new UncheckedIOException("no token from " + target.resolve("/") + " with " + FILE, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** A top-level string or number member of a flat JSON object (the admin client file, the token answer). */
    private static String field(String json, String name) {
      Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(?:\"([^\"]*)\"|(\\d+))").matcher(json);
      if (!m.find()) {
        throw new IllegalStateException("no " + name + " in " + json.replaceAll("\"client_secret\"\\s*:\\s*\"[^\"]*\"", "…"));
      }
      return m.group(1) != null ? m.group(1) : m.group(2);
    }
  }

  /** A client that sends each request with the current token; everything else is the wrapped client's. */
  private static final class Authorized extends HttpClient {
    private final HttpClient c;

    Authorized(HttpClient c) {
      this.c = c;
    }

    private static HttpRequest authorize(HttpRequest r) {
      String token = Token.of(r.uri());
      return HttpRequest.newBuilder(r, (name, v) -> !name.equalsIgnoreCase("Authorization"))
          .header("Authorization", "Bearer " + token).build();
    }

    @Override public <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h)
        throws IOException, InterruptedException {
      return c.send(authorize(r), h);
    }

    @Override public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r, HttpResponse.BodyHandler<T> h) {
      return c.sendAsync(authorize(r), h);
    }

    @Override public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r, HttpResponse.BodyHandler<T> h,
        HttpResponse.PushPromiseHandler<T> p) {
      return c.sendAsync(authorize(r), h, p);
    }

    @Override public Optional<CookieHandler> cookieHandler() { return c.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return c.connectTimeout(); }
    @Override public Redirect followRedirects() { return c.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return c.proxy(); }
    @Override public SSLContext sslContext() { return c.sslContext(); }
    @Override public SSLParameters sslParameters() { return c.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return c.authenticator(); }
    @Override public Version version() { return c.version(); }
    @Override public Optional<Executor> executor() { return c.executor(); }
  }
}
