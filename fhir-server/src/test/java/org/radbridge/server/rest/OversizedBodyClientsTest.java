package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.ServerTestBase;

/**
 * A body over the resource limit (16 MB by default; 20 MB here) is answered 413 with an
 * OperationOutcome that ordinary clients actually receive — they send the whole body before they
 * read, so the server must not hang up on them while they are still sending.
 */
class OversizedBodyClientsTest extends ServerTestBase {
  private static final long LIMIT = 16L * 1024 * 1024;
  private static final int SIZE = 20 * 1024 * 1024;

  @TempDir
  static Path dir;
  private static byte[] body;
  private static Path bodyFile;

  /** A well-formed Patient padded with whitespace: refused for its size alone. */
  @BeforeAll
  static void oversizedPatient() throws Exception {
    byte[] json = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Oversized\"}]}".getBytes(UTF_8);
    body = new byte[SIZE];
    Arrays.fill(body, (byte) ' ');
    System.arraycopy(json, 0, body, 0, json.length - 1);
    body[SIZE - 1] = '}';
    bodyFile = Files.write(dir.resolve("oversized.json"), body);
  }

  private String url() {
    return "http://127.0.0.1:" + port + "/fhir/Patient";
  }

  private static void assertRefused(int status, String responseBody) {
    assertThat(status).as("status; body %s", responseBody).isEqualTo(413);
    JsonPath p = JsonPath.from(responseBody);
    assertThat(p.getString("resourceType")).isEqualTo("OperationOutcome");
    assertThat(p.getString("issue[0].code")).isEqualTo("too-costly");
    assertThat(p.getString("issue[0].diagnostics")).contains("resource limit of " + LIMIT + " bytes");
  }

  private HttpResponse<String> send(HttpRequest.BodyPublisher publisher, String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/fhir+json")
        .header("Authorization", org.radbridge.server.TestTokens.authorization(port))
        .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void javaHttpClientWithAContentLengthReceivesThe413() throws Exception {
    HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofByteArray(body), url());
    assertRefused(r.statusCode(), r.body());
    assertThat(r.body()).contains("of " + SIZE + " bytes");
  }

  @Test
  void javaHttpClientSendingChunkedReceivesThe413() throws Exception {
    // a stream of unknown length goes out chunked
    HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)), url());
    assertRefused(r.statusCode(), r.body());
  }

  /** Runs a client to its end and returns what it printed. */
  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
    assertThat(p.exitValue()).as("%s exit status; output: %s", command.get(0), out).isZero();
    return out;
  }

  /** curl prints the body, then (-w) the status on a line of its own. */
  private void assertCurlRefused(String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-w", "\\n%{http_code}",
        "-H", "Content-Type: application/fhir+json", "--data-binary", "@" + bodyFile,
        "-H", "Authorization: " + org.radbridge.server.TestTokens.authorization(port)));
    cmd.addAll(List.of(extra));
    cmd.add(url());
    String out = run(cmd);
    int nl = out.lastIndexOf('\n');
    assertThat(nl).as("curl output %s", out).isPositive();
    assertRefused(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl));
  }

  @Test
  void curlReceivesThe413() throws Exception {
    assertCurlRefused();
  }

  @Test
  void curlSendingChunkedReceivesThe413() throws Exception {
    assertCurlRefused("-H", "Transfer-Encoding: chunked");
  }

  @Test
  void pythonUrllibReceivesThe413() throws Exception {
    String script = """
        import sys, urllib.request, urllib.error
        data = open(sys.argv[2], 'rb').read()
        req = urllib.request.Request(sys.argv[1], data=data, method='POST',
                                     headers={'Content-Type': 'application/fhir+json',
                                              'Authorization': sys.argv[3]})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        sys.stdout.write(str(status) + '\\n' + body.decode('utf-8'))
        """;
    String out = run(List.of("python3", "-c", script, url(), bodyFile.toString(),
        org.radbridge.server.TestTokens.authorization(port)));
    int nl = out.indexOf('\n');
    assertThat(nl).as("python output %s", out).isPositive();
    assertRefused(Integer.parseInt(out.substring(0, nl).trim()), out.substring(nl + 1));
  }
}
