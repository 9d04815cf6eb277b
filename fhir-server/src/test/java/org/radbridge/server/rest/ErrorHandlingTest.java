package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * Bad requests: each is refused with the right status and an OperationOutcome that names the
 * problem, nothing is written, and the server keeps working afterwards.
 */
class ErrorHandlingTest extends ServerTestBase {
  private static final long MiB = 1024 * 1024;
  private static final long RESOURCE_LIMIT = 16 * MiB;
  private static final long BUNDLE_LIMIT = 64 * MiB;

  private static String patientJson(String marker) {
    return """
        {"resourceType":"Patient","identifier":[{"system":"urn:test:err","value":"%1$s"}],
         "name":[{"family":"%1$s","given":["Eva"]}],"gender":"female","birthDate":"1990-01-02"}""".formatted(marker);
  }

  /** Rows (current or historical, of any type) whose content holds the marker. */
  private long rowsWith(String marker) {
    return count("SELECT count(*) FROM resource WHERE content LIKE ?", "%" + marker + "%")
        + count("SELECT count(*) FROM resource_version WHERE content LIKE ?", "%" + marker + "%");
  }

  private long totalRows() {
    return count("SELECT count(*) FROM resource") + count("SELECT count(*) FROM resource_version");
  }

  /** Asserts the response is an error OperationOutcome and returns its first diagnostics. */
  private static String outcome(Response r, int status) {
    r.then().statusCode(status);
    return errorOutcome(r);
  }

  private static String errorOutcome(Response r) {
    JsonPath p = r.jsonPath();
    assertThat(p.getString("resourceType")).as("body of %s", r.asString()).isEqualTo("OperationOutcome");
    assertThat(p.getString("issue[0].severity")).isIn("error", "fatal");
    String diagnostics = p.getString("issue[0].diagnostics");
    assertThat(diagnostics).as("diagnostics").isNotBlank();
    return diagnostics;
  }

  /** After every error case the server still serves an ordinary create and read. */
  @AfterEach
  void serverStillWorks() {
    String marker = unique("after");
    String id = json().body(patientJson(marker)).post("/Patient").then().statusCode(201)
        .body("name[0].family", equalTo(marker)).extract().jsonPath().getString("id");
    json().get("/Patient/" + id).then().statusCode(200).body("identifier[0].value", equalTo(marker));
    assertThat(rowsWith(marker)).isEqualTo(2);
  }

  // ---- unparseable bodies -----------------------------------------------------------------------

  @Test
  void truncatedJsonIs400AndWritesNothing() {
    String marker = unique("trunc");
    String body = patientJson(marker);
    String truncated = body.substring(0, body.indexOf("\"gender\""));
    long before = totalRows();
    String d = outcome(json().body(truncated).post("/Patient"), 400);
    assertThat(d).containsIgnoringCase("parse").containsIgnoringCase("JSON");
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);

    // the same on update
    String id = "trunc-" + System.nanoTime();
    String d2 = outcome(json().body(truncated.replace("{\"resourceType\":\"Patient\",",
        "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",")).put("/Patient/" + id), 400);
    assertThat(d2).containsIgnoringCase("parse");
    assertThat(count("SELECT count(*) FROM resource WHERE res_id = ?", id)).isZero();
  }

  @Test
  void malformedXmlIs400AndWritesNothing() {
    String marker = unique("badxml");
    String xml = """
        <Patient xmlns="http://hl7.org/fhir">
          <identifier><system value="urn:test:err"/><value value="%1$s"/></identifier>
          <name><family value="%1$s"/></name>
        """.formatted(marker); // never closed
    long before = totalRows();
    Response r = RestAssured.given().contentType("application/fhir+xml").accept("application/fhir+json")
        .body(xml).post("/Patient");
    String d = outcome(r, 400);
    assertThat(d).containsIgnoringCase("parse").containsIgnoringCase("XML");
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);

    // mismatched tags
    String mismatched = "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"" + marker
        + "\"/></nam></Patient>";
    String d2 = outcome(RestAssured.given().contentType("application/fhir+xml").accept("application/fhir+json")
        .body(mismatched).post("/Patient"), 400);
    assertThat(d2).containsIgnoringCase("XML");
    assertThat(rowsWith(marker)).isZero();
  }

  @Test
  void emptyBodyIs400() {
    long before = totalRows();
    String d = outcome(json().body("").post("/Patient"), 400);
    assertThat(d).containsIgnoringCase("body");
    assertThat(totalRows()).isEqualTo(before);
  }

  // ---- type and id mismatches -------------------------------------------------------------------

  @Test
  void bodyOfAnotherTypeThanTheUrlIs400() {
    String marker = unique("wrongtype");
    String observation = """
        {"resourceType":"Observation","status":"final","code":{"text":"%s"}}""".formatted(marker);
    long before = totalRows();
    String d = outcome(json().body(observation).post("/Patient"), 400);
    assertThat(d).contains("Observation").contains("Patient");
    assertThat(rowsWith(marker)).isZero();

    // and on update
    String id = "wrongtype-" + System.nanoTime();
    String withId = observation.replace("{\"resourceType\":\"Observation\",",
        "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",");
    String d2 = outcome(json().body(withId).put("/Patient/" + id), 400);
    assertThat(d2).contains("Observation").contains("Patient");
    assertThat(rowsWith(marker)).isZero();
    assertThat(count("SELECT count(*) FROM resource WHERE res_id = ?", id)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  @Test
  void updateWhoseBodyIdDiffersFromTheUrlIs400() {
    String marker = unique("idmismatch");
    String urlId = "abc-" + System.nanoTime();
    String bodyId = "xyz-" + System.nanoTime();
    String body = patientJson(marker).replace("{\"resourceType\":\"Patient\",",
        "{\"resourceType\":\"Patient\",\"id\":\"" + bodyId + "\",");
    long before = totalRows();
    String d = outcome(json().body(body).put("/Patient/" + urlId), 400);
    assertThat(d).contains(urlId).contains(bodyId);
    assertThat(rowsWith(marker)).isZero();
    assertThat(count("SELECT count(*) FROM resource WHERE res_id IN (?, ?)", urlId, bodyId)).isZero();
    assertThat(totalRows()).isEqualTo(before);

    // also when the URL names an existing resource: it is left as it was
    String existing = json().body(patientJson(unique("keep"))).post("/Patient").then().statusCode(201)
        .extract().jsonPath().getString("id");
    String d2 = outcome(json().body(body).put("/Patient/" + existing), 400);
    assertThat(d2).contains(existing).contains(bodyId);
    json().get("/Patient/" + existing).then().statusCode(200).body("meta.versionId", equalTo("1"));
    assertThat(rowsWith(marker)).isZero();
  }

  @Test
  void updateWithoutIdInTheBodyIs400() {
    String marker = unique("noid");
    String urlId = "noid-" + System.nanoTime();
    long before = totalRows();
    String d = outcome(json().body(patientJson(marker)).put("/Patient/" + urlId), 400);
    assertThat(d).containsIgnoringCase("id").containsIgnoringCase("body");
    assertThat(rowsWith(marker)).isZero();
    assertThat(count("SELECT count(*) FROM resource WHERE res_id = ?", urlId)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  // ---- unknown types and invalid ids ------------------------------------------------------------

  @Test
  void unknownResourceTypeIs4xxNamingTheType() {
    Response get = json().get("/Foo/1");
    assertThat(get.statusCode()).isBetween(400, 499);
    assertThat(errorOutcome(get)).contains("Foo");

    long before = totalRows();
    String marker = unique("foo");
    Response post = json().body("{\"resourceType\":\"Foo\",\"name\":\"" + marker + "\"}").post("/Foo");
    assertThat(post.statusCode()).isBetween(400, 499);
    assertThat(errorOutcome(post)).contains("Foo");
    assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'Foo'")).isZero();
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);

    // a body of an unknown type posted to a known type
    Response unknownBody = json().body("{\"resourceType\":\"Foo\",\"name\":\"" + marker + "\"}").post("/Patient");
    assertThat(unknownBody.statusCode()).isEqualTo(400);
    assertThat(errorOutcome(unknownBody)).contains("Foo");
    assertThat(rowsWith(marker)).isZero();
  }

  @Test
  void invalidIdsAre400() {
    String d = outcome(json().urlEncodingEnabled(false).get("/Patient/ab$c"), 400);
    assertThat(d).contains("ab$c");

    String id65 = "a".repeat(65);
    String d2 = outcome(json().get("/Patient/" + id65), 400);
    assertThat(d2).contains(id65);
    // 64 characters is still a valid id: not found rather than refused
    json().get("/Patient/" + "b".repeat(63) + "c").then().statusCode(404)
        .body("resourceType", equalTo("OperationOutcome"));

    // update-as-create with an invalid id creates nothing
    String marker = unique("badid");
    String id65b = ("z" + System.nanoTime() + "-".repeat(64)).substring(0, 65);
    String body = patientJson(marker).replace("{\"resourceType\":\"Patient\",",
        "{\"resourceType\":\"Patient\",\"id\":\"" + id65b + "\",");
    long before = totalRows();
    Response r = json().body(body).put("/Patient/" + id65b);
    String d3 = outcome(r, 400);
    assertThat(d3).contains(id65b);
    String underscore = "bad_id_" + System.nanoTime();
    String d4 = outcome(json().body(body.replace(id65b, underscore)).put("/Patient/" + underscore), 400);
    assertThat(d4).contains(underscore);
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  // ---- strict parsing ---------------------------------------------------------------------------

  @Test
  void unknownElementIs400() {
    String marker = unique("unknownel");
    String body = patientJson(marker).replace("\"gender\":\"female\"", "\"gender\":\"female\",\"foo\":1");
    long before = totalRows();
    String d = outcome(json().body(body).post("/Patient"), 400);
    assertThat(d).contains("foo");
    assertThat(rowsWith(marker)).isZero();

    // nested unknown element, and in XML
    String nested = patientJson(marker).replace("\"given\":[\"Eva\"]", "\"given\":[\"Eva\"],\"nickname\":\"E\"");
    assertThat(outcome(json().body(nested).post("/Patient"), 400)).contains("nickname");
    String xml = "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"" + marker
        + "\"/></name><shoeSize value=\"42\"/></Patient>";
    Response rx = RestAssured.given().contentType("application/fhir+xml").accept("application/fhir+json")
        .body(xml).post("/Patient");
    assertThat(outcome(rx, 400)).contains("shoeSize");
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  @Test
  void invalidPrimitiveValuesAre400() {
    String marker = unique("badprim");
    long before = totalRows();
    String badDate = patientJson(marker).replace("\"birthDate\":\"1990-01-02\"", "\"birthDate\":\"not-a-date\"");
    assertThat(outcome(json().body(badDate).post("/Patient"), 400)).contains("not-a-date");

    String badBoolean = patientJson(marker).replace("\"gender\":\"female\"", "\"gender\":\"female\",\"active\":\"yes\"");
    assertThat(outcome(json().body(badBoolean).post("/Patient"), 400)).contains("yes");

    String badCode = patientJson(marker).replace("\"gender\":\"female\"", "\"gender\":\"  \"");
    outcome(json().body(badCode).post("/Patient"), 400);

    String xml = "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"" + marker
        + "\"/></name><birthDate value=\"2001-13-45\"/></Patient>";
    Response rx = RestAssured.given().contentType("application/fhir+xml").accept("application/fhir+json")
        .body(xml).post("/Patient");
    assertThat(outcome(rx, 400)).contains("2001-13-45");

    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  // ---- XML external entities --------------------------------------------------------------------

  @Test
  void xmlExternalEntityInNarrativeIsRefusedAndNeverResolved() {
    String marker = unique("xxe");
    String xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <Patient xmlns="http://hl7.org/fhir">
          <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">&xxe;</div></text>
          <identifier><system value="urn:test:err"/><value value="%1$s"/></identifier>
          <name><family value="%1$s"/></name>
        </Patient>
        """.formatted(marker);
    assertXxeRefused(marker, xml);
  }

  @Test
  void xmlExternalEntityInStringValueIsRefusedAndNeverResolved() {
    String marker = unique("xxe");
    String xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <Patient xmlns="http://hl7.org/fhir">
          <identifier><system value="urn:test:err"/><value value="%1$s"/></identifier>
          <name><family value="%1$s"/><given value="&xxe;"/></name>
        </Patient>
        """.formatted(marker);
    assertXxeRefused(marker, xml);
  }

  private void assertXxeRefused(String marker, String xml) {
    long before = totalRows();
    for (String accept : new String[] {"application/fhir+json", "application/fhir+xml"}) {
      Response r = RestAssured.given().contentType("application/fhir+xml").accept(accept).body(xml).post("/Patient");
      String text = r.asString();
      assertThat(text).doesNotContain("root:").doesNotContain("/bin/");
      assertThat(r.statusCode()).as("status of %s", text).isBetween(400, 499);
      assertThat(text).contains("OperationOutcome");
    }
    assertThat(rowsWith(marker)).isZero();
    assertThat(count("SELECT count(*) FROM resource_version WHERE content LIKE '%root:x:0:0%'")).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  // ---- body size limits -------------------------------------------------------------------------

  @Test
  void declaredContentLengthOverTheResourceLimitIs413AtOnce() throws Exception {
    String marker = unique("huge");
    long declared = 17_000_000;
    assertThat(declared).isGreaterThan(RESOURCE_LIMIT);
    long before = totalRows();
    try (Socket s = connect()) {
      long start = System.nanoTime();
      s.getOutputStream().write(("POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\n"
          + "Content-Type: application/fhir+json\r\nAccept: application/fhir+json\r\n"
          + "Content-Length: " + declared + "\r\n\r\n"
          + "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + marker + "\"").getBytes(UTF_8));
      s.getOutputStream().flush();
      RawResponse r = readResponse(s, start, 5_000);
      assertTooLarge(r, "resource", RESOURCE_LIMIT);
      assertThat(r.body()).contains(String.valueOf(declared));
      assertThat(r.millis()).as("the 413 (complete response) arrives without the client sending the body")
          .isLessThan(5_000);
    }
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  @Test
  void declaredContentLengthOverTheLimitOnUpdateIs413() throws Exception {
    String id = "huge-" + System.nanoTime();
    try (Socket s = connect()) {
      long start = System.nanoTime();
      s.getOutputStream().write(("PUT /fhir/Patient/" + id + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\n"
          + "Content-Type: application/fhir+json\r\nContent-Length: " + (RESOURCE_LIMIT + 1) + "\r\n\r\n"
          + "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\"").getBytes(UTF_8));
      s.getOutputStream().flush();
      RawResponse r = readResponse(s, start, 5_000);
      assertTooLarge(r, "resource", RESOURCE_LIMIT);
      assertThat(r.millis()).isLessThan(5_000);
    }
    assertThat(count("SELECT count(*) FROM resource WHERE res_id = ?", id)).isZero();
  }

  @Test
  void bodyOfExactlyTheResourceLimitIsAccepted() {
    String marker = unique("atlimit");
    byte[] json = patientJson(marker).getBytes(UTF_8);
    byte[] body = new byte[(int) RESOURCE_LIMIT];
    Arrays.fill(body, (byte) ' ');
    System.arraycopy(json, 0, body, 0, json.length);
    json().body(body).post("/Patient").then().statusCode(201)
        .body("name[0].family", equalTo(marker));
    assertThat(count("SELECT count(*) FROM resource WHERE content LIKE ?", "%" + marker + "%")).isEqualTo(1);
  }

  @Test
  void chunkedBodyOverTheResourceLimitIs413() throws Exception {
    String marker = unique("chunked");
    long before = totalRows();
    long cap = 3 * RESOURCE_LIMIT;
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      long start = System.nanoTime();
      out.write(("POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\nContent-Type: application/fhir+json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(US_ASCII));
      AtomicLong sent = new AtomicLong();
      Thread writer = new Thread(() -> {
        try {
          writeChunk(out, ("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + marker
              + "\"}],\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">")
              .getBytes(UTF_8));
          byte[] filler = new byte[64 * 1024];
          Arrays.fill(filler, (byte) 'x');
          while (sent.get() < cap) {
            writeChunk(out, filler);
            sent.addAndGet(filler.length);
          }
          writeChunk(out, "</div>\"}}".getBytes(UTF_8));
          out.write("0\r\n\r\n".getBytes(US_ASCII));
          out.flush();
        } catch (IOException expected) {
          // the server stopped reading and closed the connection (broken pipe / reset)
        }
      }, "chunked-writer");
      writer.setDaemon(true);
      writer.start();
      RawResponse r = readResponse(s, start, 30_000);
      long sentWhenAnswered = sent.get();
      assertTooLarge(r, "resource", RESOURCE_LIMIT);
      // refused once the limit was passed, not after the client had sent everything
      assertThat(sentWhenAnswered).isLessThan(cap);
      writer.join(30_000);
    }
    assertThat(rowsWith(marker)).isZero();
    assertThat(totalRows()).isEqualTo(before);
  }

  @Test
  void declaredContentLengthOverTheBundleLimitAtTheBaseIs413() throws Exception {
    long declared = BUNDLE_LIMIT + 1;
    for (String path : new String[] {"/fhir", "/fhir/"}) {
      try (Socket s = connect()) {
        long start = System.nanoTime();
        s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\n"
            + "Content-Type: application/fhir+json\r\nContent-Length: " + declared + "\r\n\r\n"
            + "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"").getBytes(UTF_8));
        s.getOutputStream().flush();
        RawResponse r = readResponse(s, start, 5_000);
        assertTooLarge(r, "bundle", BUNDLE_LIMIT);
        assertThat(r.body()).contains(String.valueOf(declared));
        assertThat(r.millis()).isLessThan(5_000);
      }
    }
  }

  @Test
  void bodyOverTheResourceLimitButUnderTheBundleLimitIsNotRefusedAtTheBase() throws Exception {
    byte[] json = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}".getBytes(UTF_8);
    int padding = 17_000_000;
    long length = json.length + padding;
    assertThat(length).isGreaterThan(RESOURCE_LIMIT).isLessThan(BUNDLE_LIMIT);
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      long start = System.nanoTime();
      out.write(("POST /fhir HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\nContent-Type: application/fhir+json\r\n"
          + "Accept: application/fhir+json\r\nContent-Length: " + length + "\r\n\r\n").getBytes(US_ASCII));
      Thread writer = new Thread(() -> {
        try {
          out.write(json);
          byte[] spaces = new byte[256 * 1024];
          Arrays.fill(spaces, (byte) ' ');
          for (int left = padding; left > 0; left -= spaces.length) {
            out.write(spaces, 0, Math.min(left, spaces.length));
          }
          out.flush();
        } catch (IOException e) {
          // the server may answer (and close) before reading everything
        }
      }, "base-writer");
      writer.setDaemon(true);
      writer.start();
      RawResponse r = readResponse(s, start, 60_000);
      assertThat(r.status()).as("status of %s", r.body()).isNotEqualTo(413).isLessThan(500);
      assertThat(r.body()).doesNotContain("limit of");
      writer.join(30_000);
    }
  }

  private static void assertTooLarge(RawResponse r, String what, long limit) {
    assertThat(r.status()).as("status; body %s", r.body()).isEqualTo(413);
    assertThat(r.headers().get("Content-Type")).startsWith("application/fhir+json");
    JsonPath p = JsonPath.from(r.body());
    assertThat(p.getString("resourceType")).isEqualTo("OperationOutcome");
    assertThat(p.getString("issue[0].severity")).isEqualTo("error");
    assertThat(p.getString("issue[0].code")).isEqualTo("too-costly");
    assertThat(p.getString("issue[0].diagnostics")).contains(what + " limit of " + limit + " bytes");
  }

  // ---- raw HTTP ---------------------------------------------------------------------------------

  private record RawResponse(int status, Map<String, String> headers, String body, long millis) {}

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(1_000);
    return s;
  }

  private static void writeChunk(OutputStream out, byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(US_ASCII));
  }

  /**
   * Reads one HTTP/1.1 response as framed by its headers (Content-Length, chunked, or up to the
   * close of the connection); fails when the whole response has not arrived within timeoutMillis.
   */
  private static RawResponse readResponse(Socket s, long startNanos, long timeoutMillis) throws IOException {
    long deadline = startNanos + timeoutMillis * 1_000_000;
    Reader in = new Reader(new java.io.BufferedInputStream(s.getInputStream()), deadline);
    String statusLine = in.line();
    String[] parts = statusLine.split(" ", 3);
    assertThat(parts[0]).startsWith("HTTP/1.");
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = in.line(); !line.isEmpty(); line = in.line()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
        for (int size = Integer.parseInt(in.line().split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(in.line().split(";")[0].trim(), 16)) {
          body.write(in.bytes(size));
          in.line();
        }
        while (!in.line().isEmpty()) {
          // trailers
        }
      } else if (headers.containsKey("Content-Length")) {
        body.write(in.bytes(Integer.parseInt(headers.get("Content-Length"))));
      } else {
        in.toEnd(body);
      }
    } catch (SocketTimeoutException e) {
      fail("HTTP " + status + " " + headers + " arrived, but its body was not complete after " + timeoutMillis
          + " ms; body so far: " + body.toString(UTF_8));
    }
    return new RawResponse(status, headers, body.toString(UTF_8), (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** Blocking reads against an overall deadline (the socket's own timeout is short). */
  private static final class Reader {
    private final InputStream in;
    private final long deadline;

    Reader(InputStream in, long deadline) {
      this.in = in;
      this.deadline = deadline;
    }

    int read() throws IOException {
      while (true) {
        try {
          return in.read();
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
      }
    }

    String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = read(); c != '\n'; c = read()) {
        if (c < 0) {
          throw new EOFException("connection closed; line so far: " + b.toString(UTF_8));
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(UTF_8);
    }

    byte[] bytes(int n) throws IOException {
      byte[] out = new byte[n];
      for (int i = 0; i < n; i++) {
        int c = read();
        if (c < 0) {
          throw new EOFException("connection closed after " + i + " of " + n + " bytes");
        }
        out[i] = (byte) c;
      }
      return out;
    }

    void toEnd(ByteArrayOutputStream out) throws IOException {
      try {
        for (int c = read(); c >= 0; c = read()) {
          out.write(c);
        }
      } catch (java.net.SocketException e) {
        // a reset after the response: what arrived is all there is
      }
    }
  }
}
