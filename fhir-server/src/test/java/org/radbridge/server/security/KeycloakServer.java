package org.radbridge.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A real Keycloak for a test: the distribution the {@code keycloak} Maven profile unpacks, started
 * in development mode ({@code bin/kc.sh start-dev}) on a free loopback port with its H2 database
 * and log in a directory of the test's, and stopped — its whole process tree — by {@link #close()}.
 * Set up through the admin REST API with the bootstrap administrator ({@code admin-cli}, password
 * grant on the master realm).
 */
final class KeycloakServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "admin";

  private final Process process;
  private final String base;
  private final Path log;
  private final String adminPassword;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Stops Keycloak should the test JVM end without {@link #close()} (a killed or timed-out fork). */
  private final Thread stopAtExit;

  private KeycloakServer(Process process, String base, Path log, String adminPassword) {
    this.process = process;
    this.base = base;
    this.log = log;
    this.adminPassword = adminPassword;
    this.stopAtExit = new Thread(() -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }, "keycloak-stop");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /**
   * Starts Keycloak from the distribution in {@code home}, keeping its data and log in
   * {@code workDir}, and returns once its master realm answers (at most {@code timeout}).
   */
  static KeycloakServer start(Path home, Path workDir, Duration timeout) throws IOException {
    Path kc = home.resolve("bin").resolve("kc.sh");
    if (!Files.isRegularFile(kc)) {
      throw new IllegalStateException("no Keycloak distribution at " + home
          + ": run the keycloak tests through their Maven profile (mvn -P keycloak -pl fhir-server verify)");
    }
    Files.createDirectories(workDir);
    int port = freePort();
    Path log = workDir.resolve("keycloak.log");
    String password = UUID.randomUUID().toString();
    ProcessBuilder pb = new ProcessBuilder("sh", kc.toString(), "start-dev", "--http-port=" + port,
        "--http-host=127.0.0.1",
        // its own database for this run (the distribution's data/ directory would outlive it)
        "--db-url=jdbc:h2:file:" + workDir.toAbsolutePath().resolve("h2").resolve("keycloakdb") + ";NON_KEYWORDS=VALUE")
        .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", password);
    env.put("JAVA_HOME", System.getProperty("java.home")); // the JDK the tests run on
    KeycloakServer server = new KeycloakServer(pb.start(), "http://127.0.0.1:" + port, log, password);
    try {
      server.awaitUp(timeout);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Until the master realm's OpenID configuration answers; fails early if Keycloak exits. */
  private void awaitUp(Duration timeout) {
    org.radbridge.server.Await.until("Keycloak's master realm answering", timeout, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited (" + process.exitValue() + ") while starting:\n" + logTail());
      }
      try {
        return get("/realms/master/.well-known/openid-configuration").statusCode() == 200;
      } catch (IOException e) {
        return false; // not listening yet
      }
    });
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  String base() {
    return base;
  }

  /** A realm's issuer: what its tokens carry in {@code iss}, and RadBridge's radbridge.security.issuer-uri. */
  String issuer(String realm) {
    return base + "/realms/" + realm;
  }

  String tokenEndpoint(String realm) {
    return issuer(realm) + "/protocol/openid-connect/token";
  }

  /** A token of the bootstrap administrator, from the master realm (it lives a minute: one per call). */
  String adminToken() {
    JsonNode answer = form(tokenEndpoint("master"), Map.of("grant_type", "password", "client_id", "admin-cli",
        "username", ADMIN, "password", adminPassword)).body();
    if (!answer.hasNonNull("access_token")) {
      throw new IllegalStateException("no administrator token: " + answer);
    }
    return answer.get("access_token").asText();
  }

  /** An admin REST API call ({@code /admin/realms/…}) with a JSON body; fails unless it answers 2xx. */
  void admin(String method, String path, Object body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/admin/realms" + path))
          .header("Authorization", "Bearer " + adminToken()).timeout(Duration.ofSeconds(30));
      if (body == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(method + " /admin/realms" + path + " answered " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  record Answer(int status, JsonNode body) {}

  /** A form POST (a token request): its status and JSON answer. */
  Answer form(String url, Map<String, String> fields) {
    String form = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), JSON.readTree(r.body().isEmpty() ? "{}" : r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops Keycloak: SIGTERM to the Java process kc.sh started and to kc.sh itself (by their PIDs),
   * then, whatever has not exited within a minute, SIGKILL.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook does it
    }
    List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
