package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * Query strings as people type them (curl, a browser's address bar): the raw characters FHIR
 * search uses work exactly as their encoded form does, and what cannot be read is a 400
 * OperationOutcome, never Tomcat's HTML page or a 500. Requests go over a raw socket, since every
 * HTTP client library encodes these characters itself.
 */
class QueryStringTest extends ServerTestBase {
  private record Raw(int status, String headers, String body) {
    JsonPath json() {
      return JsonPath.from(body);
    }
  }

  /** Sends {@code target} byte for byte (HTTP/1.0: the answer ends with the connection). */
  private Raw get(String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.0\r\nHost: localhost\r\nAuthorization: " + org.radbridge.server.TestTokens.authorization(port) + "\r\nAccept: application/fhir+json\r\n\r\n")
          .getBytes(UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), UTF_8);
      int split = response.indexOf("\r\n\r\n");
      assertThat(split).as("a complete response: %s", response).isPositive();
      String headers = response.substring(0, split);
      return new Raw(Integer.parseInt(headers.split(" ", 3)[1]), headers, response.substring(split + 4));
    }
  }

  private String create(String system, String value) {
    return json().body("""
        {"resourceType":"Patient","identifier":[{"system":"%s","value":"%s"}]}""".formatted(system, value))
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
  }

  private List<String> idsOf(Raw r) {
    assertThat(r.status()).as("status of %s", r.body()).isEqualTo(200);
    assertThat(r.json().getString("resourceType")).isEqualTo("Bundle");
    List<String> ids = r.json().getList("entry.resource.id");
    return ids == null ? List.of() : ids;
  }

  @Test
  void aRawBarBetweenSystemAndValueFindsWhatTheEncodedFormFinds() throws IOException {
    String uid = "urn:oid:1.2.826.0.1." + System.nanoTime();
    String id = create("urn:dicom:uid", uid);
    List<String> raw = idsOf(get("/fhir/Patient?identifier=urn:dicom:uid|" + uid));
    List<String> encoded = idsOf(get("/fhir/Patient?identifier=urn%3Adicom%3Auid%7C" + uid.replace(":", "%3A")));
    assertThat(raw).containsExactly(id).isEqualTo(encoded);
  }

  @Test
  void rawBracketsAndBracesInAValueFindIt() throws IOException {
    String value = "{order}[" + System.nanoTime() + "]";
    String id = create("urn:test:raw", value);
    assertThat(idsOf(get("/fhir/Patient?identifier=urn:test:raw|" + value))).containsExactly(id);
    // and a value that is not there finds nothing, rather than everything
    assertThat(idsOf(get("/fhir/Patient?identifier=urn:test:raw|" + value + "x"))).isEmpty();
  }

  @Test
  void anImagingStudyIsFoundByItsStudyInstanceUidTypedRaw() throws IOException {
    String uid = "urn:oid:1.2.826.0.1." + System.nanoTime();
    String patient = create("urn:test:raw", "p-" + System.nanoTime());
    String study = json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"Patient/%s"},
         "identifier":[{"system":"urn:dicom:uid","value":"%s"}]}""".formatted(patient, uid))
        .post("/ImagingStudy").then().statusCode(201).extract().jsonPath().getString("id");
    assertThat(idsOf(get("/fhir/ImagingStudy?identifier=urn:dicom:uid|" + uid))).containsExactly(study);
  }

  private static String refused(Raw r, int status) {
    assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers()).containsIgnoringCase("Content-Type: application/fhir+json");
    assertThat(r.json().getString("resourceType")).isEqualTo("OperationOutcome");
    assertThat(r.json().getString("issue[0].severity")).isEqualTo("error");
    return r.json().getString("issue[0].diagnostics");
  }

  @Test
  void aMalformedPercentEscapeIs400NamingIt() throws IOException {
    assertThat(refused(get("/fhir/Patient?name=%zz"), 400)).contains("'%zz'").contains("two hexadecimal digits");
    assertThat(refused(get("/fhir/Patient?name=ab%2"), 400)).contains("'%2'");
  }

  @Test
  void anEncodedNulIs400() throws IOException {
    assertThat(refused(get("/fhir/Patient?name=a%00b"), 400)).contains("NUL");
  }

  @Test
  void whatTomcatItselfRefusesIsAnOperationOutcomeNotAnHtmlPage() throws IOException {
    // characters no FHIR search needs raw stay refused, by the connector, before any filter runs
    assertThat(refused(get("/fhir/Patient?name=<b>"), 400)).contains("Invalid character");
    assertThat(refused(get("/fhir/Patient/%zz"), 400)).contains("Invalid URI");
  }
}
