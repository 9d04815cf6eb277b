package org.radbridge.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;

/**
 * kill -9 of the server under write load: the embedded PostgreSQL outlives the JVM, and the next
 * start must still come up at once and hold every write it acknowledged. The server runs in JVMs
 * of its own so that the test can kill one.
 */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "checks the embedded database, which is not used when an external one is given")
class CrashRestartTest {
  private static final int WRITERS = 4;
  private static final int ACKNOWLEDGED_BEFORE_KILL = 200;

  @TempDir
  Path dataDir;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void afterKill9TheServerStartsOnTheFirstTryWithEveryAcknowledgedWrite() throws Exception {
    ServerProcess first = null;
    ServerProcess second = null;
    try {
      first = ServerProcess.start(dataDir);
      Duration firstStart = first.awaitReady(Duration.ofSeconds(180));

      // id → family name of every create answered 201
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
      int port = first.port;
      for (int i = 0; i < WRITERS; i++) {
        writers.submit(() -> write(port, acknowledged, stop));
      }
      Await.until(ACKNOWLEDGED_BEFORE_KILL + " acknowledged creates", Duration.ofSeconds(120),
          () -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL);
      first.kill();
      stop.set(true);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();

      // the situation this is about: the killed server's PostgreSQL still runs on the directory
      Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
      assertThat(pidFile).exists();
      long orphan = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("postgres %s after kill -9", orphan)
          .contains(true);

      second = ServerProcess.start(dataDir);
      Duration secondStart = second.awaitReady(Duration.ofSeconds(60));
      assertThat(second.output()).contains("PostgreSQL " + orphan + " of").contains("outlived the server")
          .contains("Stale PostgreSQL " + orphan);
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      // zonky alone would wait its whole 60 s start-up time here and give up
      assertThat(secondStart).as("second start (first took %s)", firstStart)
          .isLessThan(firstStart.plusSeconds(15));

      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + second.port + "/fhir/Patient/" + e.getKey()))
            .header("Accept", "application/fhir+json").timeout(Duration.ofSeconds(30))
            .header("Authorization", org.radbridge.server.TestTokens.authorization(second.port)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("Patient/%s", e.getKey()).isEqualTo(200);
        assertThat(r.body()).contains("\"family\":\"" + e.getValue() + "\"");
      }
    } finally {
      if (first != null) {
        first.kill();
      }
      if (second != null) {
        second.stop();
      }
      // whatever PostgreSQL a failed run left behind on the directory
      StalePostmaster.clear(dataDir.resolve("postgres"));
    }
  }

  /** Creates Patients until told to stop; records those answered 201. */
  private void write(int port, Map<String, String> acknowledged, AtomicBoolean stop) {
    URI uri = URI.create("http://127.0.0.1:" + port + "/fhir/Patient");
    while (!stop.get()) {
      String family = "Crash-" + UUID.randomUUID();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/fhir+json").timeout(Duration.ofSeconds(30))
            .header("Authorization", org.radbridge.server.TestTokens.authorization(port))
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 201) {
          Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
          assertThat(m.find()).as("id in %s", r.body()).isTrue();
          acknowledged.put(m.group(1), family);
        }
      } catch (IOException e) {
        // the server died during the request: not acknowledged, so nothing is owed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The server in a JVM of its own, on the test's classpath, its output collected. */
  private static final class ServerProcess {
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final long startedAt = System.nanoTime();
    private volatile int port;
    private volatile boolean ready;

    private ServerProcess(Process process) {
      this.process = process;
      Thread reader = new Thread(this::collect, "server-output-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    static ServerProcess start(Path dataDir) throws IOException {
      List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"),
          "org.radbridge.server.RadBridgeApplication",
          "--server.port=0", "--radbridge.data-dir=" + dataDir,
          "--radbridge.dicom.enabled=false", "--radbridge.hl7v2.enabled=false",
          // the lines this test reads (the test classpath's logback configuration logs warnings only)
          "--logging.level.org.springframework.boot.web.embedded.tomcat=INFO",
          "--logging.level.org.radbridge.server.RadBridgeApplication=INFO"));
      for (String[] kv : org.radbridge.server.TestTokens.clientSettings()) {
        cmd.add("--radbridge.network." + kv[0] + "=" + kv[1]);
      }
      return new ServerProcess(new ProcessBuilder(cmd).directory(dataDir.toFile()).redirectErrorStream(true).start());
    }

    private void collect() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
          Matcher m = PORT.matcher(line);
          if (m.find()) {
            port = Integer.parseInt(m.group(1));
          }
          if (line.contains("Started RadBridgeApplication")) {
            ready = true;
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }

    /** How long it took from launch until it serves requests. */
    Duration awaitReady(Duration timeout) {
      try {
        Await.until("the server started (or its exit)", timeout, () -> ready || !process.isAlive());
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n" + output(), e);
      }
      assertThat(ready).as("server started; output:\n%s", output()).isTrue();
      assertThat(port).isPositive();
      return Duration.ofNanos(System.nanoTime() - startedAt);
    }

    /** SIGKILL: no shutdown hook runs, the embedded PostgreSQL is left running. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: an ordinary shutdown, which stops the embedded PostgreSQL too. */
    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
