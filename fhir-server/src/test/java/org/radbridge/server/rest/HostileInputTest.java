package org.radbridge.server.rest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * The security-critical inputs of the bad-input corpus, each looked at closely: what the answer
 * says, and that nothing was written — active narratives, dot segments in a bundle entry's URL,
 * forged paging links, unbounded includes, deep chains, floods of parameters, deep bodies, NUL.
 */
class HostileInputTest extends ServerTestBase {
  private static final String SCRIPT_DIV =
      "<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\"><p>Eva</p><script>alert(document.cookie)</script></div>";

  /** The error OperationOutcome of a refusal with this status; returns the first issue's diagnostics. */
  private static String refused(Response r, int status) {
    r.then().statusCode(status);
    JsonPath p = r.jsonPath();
    assertThat(p.getString("resourceType")).as("body of %s", r.asString()).isEqualTo("OperationOutcome");
    assertThat(p.getString("issue[0].severity")).isEqualTo("error");
    return p.getString("issue[0].diagnostics");
  }

  private long rowsWith(String marker) {
    return count("SELECT count(*) FROM resource WHERE content LIKE ?", "%" + marker + "%")
        + count("SELECT count(*) FROM resource_version WHERE content LIKE ?", "%" + marker + "%");
  }

  // ---- narratives -------------------------------------------------------------------------------

  @Test
  void aNarrativeWithScriptIsRefusedNamingTxt1AndTheElementAndNothingIsStored() {
    String marker = unique("script");
    Response r = json().body("""
        {"resourceType":"Patient","identifier":[{"system":"urn:test:hostile","value":"%s"}],
         "text":{"status":"generated","div":"%s"}}""".formatted(marker, SCRIPT_DIV)).post("/Patient");
    String d = refused(r, 422);
    assertThat(d).contains("txt-1").contains("Patient.text.div").contains("<script>");
    assertThat(r.jsonPath().getString("issue[0].expression[0]")).isEqualTo("Patient.text.div");
    assertThat(rowsWith(marker)).isZero();

    // in a contained resource, named by its place
    String contained = refused(json().body("""
        {"resourceType":"Observation","status":"final","code":{"text":"%s"},"subject":{"reference":"#p"},
         "contained":[{"resourceType":"Patient","id":"p","text":{"status":"generated",
           "div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\"><a href=\\"javascript:steal()\\">x</a></div>"}}]}"""
        .formatted(marker)).post("/Observation"), 422);
    assertThat(contained).contains("txt-1").contains("Observation.contained[0].text.div").contains("javascript:");
    assertThat(rowsWith(marker)).isZero();

    // an update that would add one leaves the stored version as it was
    String id = json().body("""
        {"resourceType":"Patient","identifier":[{"system":"urn:test:hostile","value":"%s"}]}""".formatted(marker))
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    String onUpdate = refused(json().body("""
        {"resourceType":"Patient","id":"%s","text":{"status":"generated",
         "div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\"><img src=\\"x.png\\" onerror=\\"steal()\\"/></div>"}}"""
        .formatted(id)).put("/Patient/" + id), 422);
    assertThat(onUpdate).contains("txt-1").contains("onerror");
    json().get("/Patient/" + id).then().statusCode(200).body("meta.versionId", equalTo("1"))
        .body("text", org.hamcrest.Matchers.nullValue());
  }

  @Test
  void aNarrativeOfPlainFormattingLinksAndImagesIsStoredAsSent() {
    String div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p style=\"color:red\">Eva <b>Smith</b></p>"
        + "<a href=\"https://example.org/x\">more</a><table><tr><td>1</td></tr></table>"
        + "<img src=\"#photo\" alt=\"photo\"/></div>";
    String id = json().body("""
        {"resourceType":"Patient","text":{"status":"generated","div":"%s"}}""".formatted(div.replace("\"", "\\\"")))
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    String stored = json().get("/Patient/" + id).then().statusCode(200).extract().jsonPath().getString("text.div");
    assertThat(stored).contains("<b>Smith</b>").contains("href=\"https://example.org/x\"").contains("<td>1</td>");
  }

  // ---- bundle entry URLs ------------------------------------------------------------------------

  @Test
  void aTransactionEntryUrlWithDotSegmentsIsRefusedAndNothingIsWritten() {
    String marker = unique("dots");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:hostile","value":"%1$s"}]},
           "request":{"method":"POST","url":"Patient"}},
          {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:hostile","value":"%1$s"}]},
           "request":{"method":"PUT","url":"Patient/../../etc/passwd"}}]}""".formatted(marker);
    String d = refused(json().body(bundle).post(""), 400);
    assertThat(d).contains("Bundle.entry[1]").contains("request.url").contains("Patient/../../etc/passwd");
    assertThat(rowsWith(marker)).as("the transaction wrote nothing, not even its good entry").isZero();
    assertThat(count("SELECT count(*) FROM resource WHERE res_id IN ('.', '..')")).isZero();

    // "Patient/.." is refused too, whatever the body's id says
    String dotDot = refused(json().body("""
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient","id":"..","identifier":[{"system":"urn:test:hostile","value":"%s"}]},
           "request":{"method":"PUT","url":"Patient/.."}}]}""".formatted(marker)).post(""), 400);
    assertThat(dotDot).contains("Bundle.entry[0]").contains("request.url");

    // in a batch only that entry fails; the others are written
    JsonPath batch = json().body(bundle.replace("\"transaction\"", "\"batch\"")).post("").then().statusCode(200)
        .extract().jsonPath();
    assertThat(batch.getString("entry[0].response.status")).startsWith("201");
    assertThat(batch.getString("entry[1].response.status")).startsWith("400");
    assertThat(batch.getString("entry[1].response.outcome.issue[0].diagnostics")).contains("request.url");
    assertThat(count("SELECT count(*) FROM resource WHERE res_id IN ('.', '..')")).isZero();
    assertThat(count("SELECT count(*) FROM resource WHERE content LIKE ?", "%" + marker + "%")).isEqualTo(1);
  }

  // ---- paging links -----------------------------------------------------------------------------

  private static String nextLink(JsonPath bundle) {
    return bundle.getString("link.find { it.relation == 'next' }.url");
  }

  private static String param(String url, String name) {
    for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
      if (pair.startsWith(name + "=")) {
        return java.net.URLDecoder.decode(pair.substring(name.length() + 1), UTF_8);
      }
    }
    throw new AssertionError("no " + name + " in " + url);
  }

  private Response get(String absoluteUrl) {
    // the link as the server wrote it, not encoded again
    return RestAssured.given().urlEncodingEnabled(false).accept("application/fhir+json")
        .basePath("").get(absoluteUrl.substring(absoluteUrl.indexOf("/fhir")));
  }

  @Test
  void aHistoryLinkWithAForgedCountOrCursorIsRefused() {
    String id = json().body("{\"resourceType\":\"Patient\",\"active\":true}").post("/Patient").then().statusCode(201)
        .extract().jsonPath().getString("id");
    for (int i = 0; i < 3; i++) {
      json().body("{\"resourceType\":\"Patient\",\"id\":\"%s\",\"active\":%s}".formatted(id, i % 2 == 0))
          .put("/Patient/" + id).then().statusCode(200);
    }
    JsonPath first = json().get("/Patient/" + id + "/_history?_count=1").then().statusCode(200).extract().jsonPath();
    String next = nextLink(first);
    assertThat(get(next).then().statusCode(200).extract().jsonPath().getList("entry")).hasSize(1);

    // the query says _count=1 (its fifth field); ask for 100,000,000 instead
    String searchId = param(next, "_getpages");
    String[] fields = new String(Base64.getUrlDecoder().decode(searchId.substring(2)), UTF_8).split("\n", -1);
    assertThat(fields[4]).isEqualTo("1");
    fields[4] = "100000000";
    String forged = "h." + Base64.getUrlEncoder().withoutPadding().encodeToString(String.join("\n", fields).getBytes(UTF_8));
    assertThat(refused(get(next.replace(searchId, forged)), 400)).contains("paging link");

    // another cursor (an earlier position) with the old signature
    String pageId = param(next, "_pageId");
    String cursor = pageId.substring(0, pageId.lastIndexOf('.'));
    String otherCursor = cursor.replaceFirst("^\\d", cursor.charAt(0) == '1' ? "2" : "1");
    assertThat(refused(get(next.replace(pageId, otherCursor + pageId.substring(cursor.length()))), 400))
        .contains("paging link");
    // no signature at all
    assertThat(refused(get(next.replace(pageId, cursor)), 400)).contains("paging link");
  }

  @Test
  void aSearchLinkWithAForgedCountIsRefusedAndCountIsCappedInEveryLink() {
    String tag = unique("paging");
    for (int i = 0; i < 3; i++) {
      json().body("{\"resourceType\":\"Patient\",\"meta\":{\"tag\":[{\"system\":\"urn:test\",\"code\":\"%s\"}]}}"
          .formatted(tag)).post("/Patient").then().statusCode(201);
    }
    JsonPath first = json().get("/Patient?_tag=urn:test|" + tag + "&_count=1").then().statusCode(200).extract().jsonPath();
    String next = nextLink(first);
    String searchId = param(next, "_getpages");
    String[] parts = searchId.substring(2).split("\\.");
    String query = new String(Base64.getUrlDecoder().decode(parts[2]), UTF_8);
    assertThat(query).contains("_count=1");
    String forgedQuery = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(query.replace("_count=1", "_count=100000000").getBytes(UTF_8));
    String forged = "s." + parts[0] + "." + parts[1] + "." + forgedQuery;
    assertThat(refused(get(next.replace(searchId, forged)), 400)).contains("paging link");
    assertThat(get(next).then().statusCode(200).extract().jsonPath().getList("entry")).hasSize(1);

    // a first page asking for 100,000,000 is given (and links) at most max-page-size
    JsonPath history = json().get("/_history?_count=100000000").then().statusCode(200).extract().jsonPath();
    List<Object> entries = history.getList("entry");
    assertThat(entries).hasSizeLessThanOrEqualTo(1000);
    String historyNext = nextLink(history);
    if (historyNext != null) {
      String[] fields = new String(Base64.getUrlDecoder().decode(param(historyNext, "_getpages").substring(2)), UTF_8)
          .split("\n", -1);
      assertThat(fields[4]).as("the count the link carries").isEqualTo("1000");
      assertThat(get(historyNext).then().statusCode(200).extract().jsonPath().getList("entry"))
          .hasSizeLessThanOrEqualTo(1000);
    }
  }

  // ---- includes, chains, parameters -------------------------------------------------------------

  @Test
  void includesAreBoundedPerPageAndThePageSaysSo() {
    String patient = json().body("{\"resourceType\":\"Patient\"}").post("/Patient").then().statusCode(201)
        .extract().jsonPath().getString("id");
    StringBuilder entries = new StringBuilder();
    for (int i = 0; i < 1005; i++) {
      entries.append(i == 0 ? "" : ",").append("""
          {"resource":{"resourceType":"Observation","status":"final","code":{"text":"n%d"},
           "subject":{"reference":"Patient/%s"}},"request":{"method":"POST","url":"Observation"}}""".formatted(i, patient));
    }
    json().header("Prefer", "return=minimal")
        .body("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}")
        .post("").then().statusCode(200);

    for (String revinclude : List.of("Observation:subject", "*")) {
      JsonPath page = json().get("/Patient?_id=" + patient + "&_revinclude=" + revinclude).then().statusCode(200)
          .extract().jsonPath();
      assertThat(page.<String>getList("entry.findAll { it.search.mode == 'match' }.resource.id")).containsExactly(patient);
      assertThat(page.<String>getList("entry.findAll { it.search.mode == 'include' }.resource.id")).hasSize(1000);
      List<String> outcome = page.getList("entry.findAll { it.search.mode == 'outcome' }.resource.issue[0].diagnostics");
      assertThat(outcome).singleElement().asString().contains("1000").contains("radbridge.limits.max-includes");
    }
  }

  @Test
  void chainsAndHasFollowAtMostMaxChainDepthReferences() {
    json().get("/Observation?subject:Patient.general-practitioner:Practitioner.name=nobody").then().statusCode(200);
    String chain = refused(json().get(
        "/Observation?subject:Patient.organization.partof.partof.partof.name=nobody"), 400);
    assertThat(chain).contains("follows 5 references").contains("radbridge.limits.max-chain-depth");
    String has = refused(json().get(
        "/Patient?_has:Patient:link:_has:Patient:link:_has:Patient:link:_has:Patient:link:_has:Patient:link:name=x"), 400);
    assertThat(has).contains("_has").contains("radbridge.limits.max-chain-depth");
  }

  @Test
  void aFloodOfFormParametersIsRefusedAtOnceNamingTheLimit() {
    String flood = "name=a&".repeat(100_000);
    long start = System.nanoTime();
    String d = refused(RestAssured.given().contentType("application/x-www-form-urlencoded")
        .accept("application/fhir+json").body(flood).post("/Patient/_search"), 400);
    assertThat(d).contains("parameters").contains("radbridge.limits.max-query-parameters");
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms to refuse").isLessThan(10_000);
    // 99 parameters are fine
    RestAssured.given().contentType("application/x-www-form-urlencoded").accept("application/fhir+json")
        .body("name=a&".repeat(99)).post("/Patient/_search").then().statusCode(200);
  }

  // ---- bodies -------------------------------------------------------------------------------------

  private static String nestedExtensions(int depth) {
    String open = "{\"url\":\"http://example.org/x\",\"extension\":[";
    return "{\"resourceType\":\"Patient\",\"extension\":[" + open.repeat(depth - 1)
        + "{\"url\":\"http://example.org/x\",\"valueString\":\"leaf\"}" + "]}".repeat(depth - 1) + "]}";
  }

  @Test
  void aBodyNestedBeyondTheLimitIsRefusedAndOneWithinItIsStored() {
    String d = refused(json().body(nestedExtensions(300)).post("/Patient"), 400);
    assertThat(d).contains("nests deeper than 100").contains("radbridge.limits.max-nesting-depth");
    json().body(nestedExtensions(40)).post("/Patient").then().statusCode(201);
  }

  @Test
  void nulInAnyValueIsRefusedNamingWhereAndNothingIsStored() {
    String marker = unique("nul");
    String d = refused(json().body("""
        {"resourceType":"Patient","identifier":[{"system":"urn:test:hostile","value":"%s"}],
         "name":[{"family":"Smith\\u0000Drop"}]}""".formatted(marker)).post("/Patient"), 400);
    assertThat(d).contains("Patient.name[0].family").contains("U+0000");
    assertThat(rowsWith(marker)).isZero();
  }
}
