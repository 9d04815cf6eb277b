package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.restassured.RestAssured;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.radbridge.server.ServerTestBase;

/**
 * The REST bad-input corpus ({@code src/test/resources/hostile/rest-corpus.txt}): every request is
 * answered — no 5xx, no hang — with the status the corpus expects; a refusal is an OperationOutcome
 * whose diagnostics name the problem; no answer shows SQL, class names or a stack trace; and the
 * server keeps answering an ordinary read after each one, and an ordinary write after them all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputCorpusTest extends ServerTestBase {
  private static final FhirContext CTX = FhirContext.forR4Cached();
  /** What would betray internals: SQL and PostgreSQL errors, Java class names, stack frames. */
  private static final List<Pattern> INTERNALS = List.of(
      Pattern.compile("SQL"), Pattern.compile("(?i)syntax error at or near"), Pattern.compile("(?i)stack depth"),
      Pattern.compile("\\b(org|com|java|javax|jakarta|ca\\.uhn)\\.[a-z]+\\.[a-zA-Z]"),
      Pattern.compile("Exception"), Pattern.compile("\\bat [\\w$.]+\\([\\w$]*\\.java:\\d+\\)"),
      Pattern.compile("\\bat [\\w$]+\\.[\\w$.]+\\("));
  private static final String FIXTURE = "Patient/hostile-fixture";
  /** Read after every case: no case touches it. */
  private static final String CANARY = "Patient/hostile-canary";

  static List<BadInputCorpus.Case> corpus() throws IOException {
    return BadInputCorpus.load("hostile/rest-corpus.txt");
  }

  private static boolean canaryStored;

  /**
   * The canary is stored once; the fixture afresh before each case that names it (If-Match, PATCH,
   * vread), so one case's change is not the next one's starting point.
   */
  private void fixturesFor(BadInputCorpus.Case c) {
    if (!canaryStored) {
      store(CANARY);
      canaryStored = true;
    }
    String request = new String(c.head(port, ""), java.nio.charset.StandardCharsets.ISO_8859_1)
        + new String(c.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
    if (request.contains(FIXTURE.substring(8))) {
      store(FIXTURE);
    }
  }

  private void store(String id) {
    json().body("""
        {"resourceType":"Patient","id":"%s","active":true}""".formatted(id.substring(8))).put("/" + id)
        .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void answeredPreciselyWithoutInternals(BadInputCorpus.Case c) throws IOException {
    fixturesFor(c);
    RawHttp.Response r = RawHttp.send(port, c.head(port, org.radbridge.server.TestTokens.authorization(port)), c.body(), 60_000);
    String body = r.text();
    assertThat(r.status()).as("status (body: %s)", abbreviate(body)).isLessThan(500);
    assertThat(c.expects(r.status())).as("status %d, expected %s (body: %s)", r.status(), c.expect(),
        abbreviate(body)).isTrue();
    for (Pattern p : INTERNALS) {
      assertThat(p.matcher(body).find()).as("answer shows internals (%s): %s", p, abbreviate(body)).isFalse();
    }
    if (r.status() >= 400 && !"HEAD".equals(c.method())) {
      String diagnostics = diagnostics(r);
      for (String word : c.says()) {
        assertThat(diagnostics.toLowerCase()).as("diagnostics name the problem").contains(word.toLowerCase());
      }
    }
    // and the server still answers an ordinary request
    RestAssured.given().accept("application/fhir+json").get("/" + CANARY).then().statusCode(200);
  }

  @Order(2)
  @Test
  void afterTheCorpusAnOrdinaryCreateAndReadWork() {
    String family = unique("after-corpus");
    String id = json().body("""
        {"resourceType":"Patient","name":[{"family":"%s"}]}""".formatted(family))
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    RestAssured.given().accept("application/fhir+json").get("/Patient/" + id).then().statusCode(200)
        .body("name[0].family", org.hamcrest.Matchers.equalTo(family));
  }

  /** The refusal's OperationOutcome (JSON or XML as negotiated): its error issues' diagnostics. */
  private static String diagnostics(RawHttp.Response r) {
    String type = String.valueOf(r.header("Content-Type"));
    assertThat(type).as("a FHIR content type for an OperationOutcome").containsAnyOf("fhir+json", "fhir+xml");
    IParser parser = type.contains("xml") ? CTX.newXmlParser() : CTX.newJsonParser();
    OperationOutcome oo = parser.parseResource(OperationOutcome.class, r.text());
    List<OperationOutcome.OperationOutcomeIssueComponent> errors = oo.getIssue().stream()
        .filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
            || i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
        .toList();
    assertThat(errors).as("error issues in %s", r.text()).isNotEmpty();
    String text = errors.stream().map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
        .collect(Collectors.joining("\n"));
    assertThat(text).as("diagnostics").isNotBlank();
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
  }
}
