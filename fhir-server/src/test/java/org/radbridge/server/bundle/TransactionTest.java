package org.radbridge.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

class TransactionTest extends ServerTestBase {

  private Response post(String bundle) {
    return json().body(bundle).post("");
  }

  private long resourcesTagged(String tag) {
    return count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE t.param = '_tag'"
        + " AND t.system = 'urn:test:tag' AND t.code = ? AND NOT r.deleted", tag);
  }

  private static String meta(String tag) {
    return "\"meta\":{\"tag\":[{\"system\":\"urn:test:tag\",\"code\":\"" + tag + "\"}]}";
  }

  /** Patient (conditional), ServiceRequest, ImagingStudy and DiagnosticReport, linked by urn:uuid. */
  private String order(String tag, String mrn, String lastEntry) {
    return """
        {"resourceType":"Bundle","type":"transaction","entry":[
         {"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000001",
          "resource":{"resourceType":"Patient",%1$s,"identifier":[{"system":"urn:test:mrn","value":"%2$s"}],
            "text":{"status":"generated","div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\"><a href=\\"urn:uuid:11111111-0000-4000-8000-000000000002\\">order</a></div>"}},
          "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:test:mrn|%2$s"}},
         {"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000002",
          "resource":{"resourceType":"ServiceRequest",%1$s,"status":"active","intent":"order",
            "subject":{"reference":"urn:uuid:11111111-0000-4000-8000-000000000001"}},
          "request":{"method":"POST","url":"ServiceRequest"}},
         {"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000003",
          "resource":{"resourceType":"ImagingStudy",%1$s,"status":"available",
            "subject":{"reference":"urn:uuid:11111111-0000-4000-8000-000000000001"},
            "basedOn":[{"reference":"urn:uuid:11111111-0000-4000-8000-000000000002"}],
            "series":[{"uid":"1.2.3","modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"},
              "extension":[{"url":"urn:test:x","valueReference":{"reference":"urn:uuid:11111111-0000-4000-8000-000000000002"}}]}]},
          "request":{"method":"POST","url":"ImagingStudy"}}%3$s
        ]}""".formatted(meta(tag), mrn, lastEntry);
  }

  private String report(String tag) {
    return """
        ,{"fullUrl":"urn:uuid:11111111-0000-4000-8000-000000000004",
          "resource":{"resourceType":"DiagnosticReport",%s,"status":"final","code":{"text":"CT"},
            "subject":{"reference":"urn:uuid:11111111-0000-4000-8000-000000000001"},
            "basedOn":[{"reference":"urn:uuid:11111111-0000-4000-8000-000000000002"}]},
          "request":{"method":"POST","url":"DiagnosticReport"}}""".formatted(meta(tag));
  }

  @Test
  void transactionCreatesEverythingAndRewritesReferencesEverywhere() {
    String tag = unique("tx");
    String mrn = unique("mrn");
    JsonPath r = post(order(tag, mrn, report(tag))).then().statusCode(200)
        .body("resourceType", equalTo("Bundle")).body("type", equalTo("transaction-response")).extract().jsonPath();
    assertThat(r.<String>getList("entry.response.status")).containsExactly("201 Created", "201 Created", "201 Created", "201 Created");
    assertThat(r.<String>getList("entry.response.etag")).containsOnly("W/\"1\"");
    List<String> locations = r.getList("entry.response.location");
    assertThat(locations.get(0)).matches("Patient/[0-9a-f-]{36}/_history/1");
    String patient = locations.get(0).split("/")[1];
    String order = locations.get(1).split("/")[1];
    String study = locations.get(2).split("/")[1];

    json().get("/ServiceRequest/" + order).then().statusCode(200).body("subject.reference", equalTo("Patient/" + patient));
    json().get("/ImagingStudy/" + study).then().statusCode(200)
        .body("subject.reference", equalTo("Patient/" + patient))
        .body("basedOn[0].reference", equalTo("ServiceRequest/" + order))
        .body("series[0].extension[0].valueReference.reference", equalTo("ServiceRequest/" + order));
    json().get("/Patient/" + patient).then().statusCode(200).body("text.div", containsString("href=\"ServiceRequest/" + order + "\""));
    // indexed like any single write: searchable by the rewritten reference
    assertThat(json().queryParam("subject", "Patient/" + patient).get("/DiagnosticReport").jsonPath()
        .<String>getList("entry.resource.id")).hasSize(1);
    assertThat(resourcesTagged(tag)).isEqualTo(4);
  }

  @Test
  void conditionalCreateInsideATransactionReusesTheExistingPatient() {
    String tag = unique("tx");
    String mrn = unique("mrn");
    String first = post(order(tag, mrn, "")).then().statusCode(200).extract().jsonPath().getString("entry[0].response.location");
    JsonPath second = post(order(tag, mrn, "")).then().statusCode(200).extract().jsonPath();
    assertThat(second.getString("entry[0].response.status")).isEqualTo("200 OK");
    assertThat(second.getString("entry[0].response.location")).isEqualTo(first);
    String patient = first.split("/")[1];
    String order2 = second.getString("entry[1].response.location").split("/")[1];
    json().get("/ServiceRequest/" + order2).then().body("subject.reference", equalTo("Patient/" + patient));
    assertThat(count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'Patient'"
        + " AND t.param = 'identifier' AND t.code = ?", mrn)).isEqualTo(1);
  }

  @Test
  void aTransactionThatFailsOnItsLastEntryLeavesNothingBehind() {
    String tag = unique("tx");
    String bad = """
        ,{"resource":{"resourceType":"DiagnosticReport",%s,"status":"final","code":{"text":"x"},
            "subject":{"reference":"Patient?identifier=urn:test:none|%s"}},
          "request":{"method":"POST","url":"DiagnosticReport"}}""".formatted(meta(tag), unique("nobody"));
    post(order(tag, unique("mrn"), bad)).then().statusCode(412)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString("Bundle.entry[3]"))
        .body("issue[0].diagnostics", containsString("matches no Patient"));
    assertThat(resourcesTagged(tag)).isZero();
    assertThat(count("SELECT count(*) FROM resource_version v JOIN idx_token t ON t.res_pk = v.res_pk WHERE t.code = ?", tag)).isZero();
  }

  @Test
  void conditionalReferencesResolveToTheSingleMatch() {
    String tag = unique("tx");
    String mrn = unique("mrn");
    String patient = json().body("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:test:mrn\",\"value\":\"" + mrn + "\"}]}")
        .post("/Patient").jsonPath().getString("id");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"ServiceRequest",%s,"status":"active","intent":"order",
             "subject":{"reference":"Patient?identifier=urn:test:mrn|%s"}},"request":{"method":"POST","url":"ServiceRequest"}}]}"""
        .formatted(meta(tag), mrn);
    String order = post(bundle).then().statusCode(200).extract().jsonPath().getString("entry[0].response.location").split("/")[1];
    json().get("/ServiceRequest/" + order).then().body("subject.reference", equalTo("Patient/" + patient));
    // a second match makes it ambiguous: 412, nothing written
    json().body("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:test:mrn\",\"value\":\"" + mrn + "\"}]}")
        .post("/Patient").then().statusCode(201);
    post(bundle).then().statusCode(412).body("issue[0].diagnostics", containsString("more than one Patient"));
    assertThat(resourcesTagged(tag)).isEqualTo(1);
  }

  @Test
  void deletesRunFirstAndReadsLastWithVersionChecks() {
    String tag = unique("tx");
    String id = unique("p");
    json().body("{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"gender\":\"male\"}").put("/Patient/" + id).then().statusCode(201);
    // listed GET, PUT, DELETE: processed DELETE, PUT, GET
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"request":{"method":"GET","url":"Patient/%1$s"}},
          {"resource":{"resourceType":"Patient","id":"%1$s",%2$s,"gender":"female"},"request":{"method":"PUT","url":"Patient/%1$s"}},
          {"request":{"method":"DELETE","url":"Patient/%1$s"}}]}""".formatted(id, meta(tag));
    JsonPath r = post(bundle).then().statusCode(200).extract().jsonPath();
    assertThat(r.<String>getList("entry.response.status")).containsExactly("200 OK", "201 Created", "204 No Content");
    assertThat(r.getString("entry[0].resource.gender")).isEqualTo("female");
    assertThat(r.getString("entry[0].resource.meta.versionId")).isEqualTo("3");
    // a stale ifMatch fails the whole transaction
    String stale = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient","id":"%1$s","gender":"other"},"request":{"method":"PUT","url":"Patient/%1$s","ifMatch":"W/\\"1\\""}}]}"""
        .formatted(id);
    post(stale).then().statusCode(412).body("issue[0].diagnostics", containsString("Bundle.entry[0]"));
    // ifNoneMatch on an existing resource fails too
    String noneMatch = stale.replace("\"ifMatch\":\"W/\\\"1\\\"\"", "\"ifNoneMatch\":\"*\"");
    post(noneMatch).then().statusCode(412);
    json().get("/Patient/" + id).then().body("gender", equalTo("female")).body("meta.versionId", equalTo("3"));
  }

  @Test
  void conditionalUpdateAndDeleteInsideATransaction() {
    String tag = unique("tx");
    String mrn = unique("mrn");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Patient",%1$s,"identifier":[{"system":"urn:test:mrn","value":"%2$s"}],"gender":"male"},
           "request":{"method":"PUT","url":"Patient?identifier=urn:test:mrn|%2$s"}}]}""".formatted(meta(tag), mrn);
    String created = post(bundle).then().statusCode(200).extract().jsonPath().getString("entry[0].response.location");
    String again = post(bundle).then().statusCode(200).extract().jsonPath().getString("entry[0].response.location");
    assertThat(again.split("/")[1]).isEqualTo(created.split("/")[1]);
    assertThat(again).endsWith("/_history/2");
    post("""
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"request":{"method":"DELETE","url":"Patient?identifier=urn:test:mrn|%s"}}]}""".formatted(mrn))
        .then().statusCode(200).body("entry[0].response.status", equalTo("204 No Content"));
    json().get("/Patient/" + created.split("/")[1]).then().statusCode(410);
  }

  @Test
  void batchEntriesSucceedOrFailOnTheirOwn() {
    String tag = unique("batch");
    String bundle = """
        {"resourceType":"Bundle","type":"batch","entry":[
          {"resource":{"resourceType":"Patient",%1$s},"request":{"method":"POST","url":"Patient"}},
          {"resource":{"resourceType":"Patient","id":"a",%1$s},"request":{"method":"PUT","url":"Patient/b"}},
          {"request":{"method":"GET","url":"Patient/%2$s"}},
          {"resource":{"resourceType":"Organization",%1$s,"name":"ok"},"request":{"method":"POST","url":"Organization"}}]}"""
        .formatted(meta(tag), unique("none"));
    JsonPath r = post(bundle).then().statusCode(200).body("type", equalTo("batch-response")).extract().jsonPath();
    assertThat(r.<String>getList("entry.response.status")).containsExactly("201 Created", "400 Bad Request", "404 Not Found",
        "201 Created");
    assertThat(r.getString("entry[1].response.outcome.issue[0].diagnostics")).contains("does not match");
    assertThat(r.getString("entry[2].response.outcome.resourceType")).isEqualTo("OperationOutcome");
    assertThat(r.getString("entry[0].response.location")).startsWith("Patient/");
    assertThat(resourcesTagged(tag)).isEqualTo(2);
  }

  @Test
  void bundlesOverTheEntryLimitOrOfAnotherTypeAreRefused() {
    StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[");
    for (int i = 0; i < 10_001; i++) {
      b.append(i == 0 ? "" : ",").append("{\"request\":{\"method\":\"GET\",\"url\":\"Patient/x\"}}");
    }
    b.append("]}");
    post(b.toString()).then().statusCode(413).body("issue[0].diagnostics", containsString("at most 10000"));
    post("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}").then().statusCode(400)
        .body("issue[0].diagnostics", containsString("transaction or batch"));
  }

  @Test
  void tenConcurrentTransactionsWithTheSameConditionalPatientMakeOnePatient() throws Exception {
    String tag = unique("tx");
    String mrn = unique("mrn");
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Callable<Response>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(() -> RestAssured.given().contentType("application/fhir+json; charset=UTF-8").body(order(tag, mrn, report(tag))).post(""));
      }
      Set<String> patients = new HashSet<>();
      int created = 0;
      for (Future<Response> f : pool.invokeAll(calls)) {
        Response r = f.get();
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        patients.add(r.jsonPath().getString("entry[0].response.location").split("/")[1]);
        if ("201 Created".equals(r.jsonPath().getString("entry[0].response.status"))) created++;
      }
      assertThat(patients).hasSize(1);
      assertThat(created).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'Patient'"
          + " AND t.param = 'identifier' AND t.code = ?", mrn)).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'DiagnosticReport'"
          + " AND t.param = '_tag' AND t.code = ?", tag)).isEqualTo(10);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void patchAndSearchEntriesInATransaction() {
    String tag = unique("tx");
    String id = unique("p");
    json().body("{\"resourceType\":\"Patient\",\"id\":\"" + id + "\"," + meta(tag) + ",\"gender\":\"male\"}")
        .put("/Patient/" + id).then().statusCode(201);
    String jsonPatch = java.util.Base64.getEncoder().encodeToString(
        "[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"female\"}]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"%1$s"},
           "request":{"method":"PATCH","url":"Patient/%2$s"}},
          {"resource":{"resourceType":"Parameters","parameter":[{"name":"operation","part":[
             {"name":"type","valueCode":"add"},{"name":"path","valueString":"Patient"},
             {"name":"name","valueString":"birthDate"},{"name":"value","valueDate":"1990-01-02"}]}]},
           "request":{"method":"PATCH","url":"Patient?_id=%2$s"}},
          {"request":{"method":"GET","url":"Patient?_tag=urn:test:tag|%3$s"}}]}""".formatted(jsonPatch, id, tag);
    JsonPath r = post(bundle).then().statusCode(200).extract().jsonPath();
    assertThat(r.<String>getList("entry.response.status")).containsExactly("200 OK", "200 OK", "200 OK");
    assertThat(r.getString("entry[1].response.location")).endsWith("/_history/3");
    assertThat(r.getString("entry[2].resource.type")).isEqualTo("searchset");
    assertThat(r.<String>getList("entry[2].resource.entry.resource.birthDate")).containsExactly("1990-01-02");
    assertThat(r.<String>getList("entry[2].resource.entry.resource.gender")).containsExactly("female");
  }

  @Test
  void urnOidFullUrlsAreResolvedLikeUuids() {
    String tag = unique("oid");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:oid:1.2.840.99999.%1$d","resource":{"resourceType":"Organization",%2$s,"name":"Clinic"},
           "request":{"method":"POST","url":"Organization"}},
          {"resource":{"resourceType":"Patient",%2$s,"managingOrganization":{"reference":"urn:oid:1.2.840.99999.%1$d"}},
           "request":{"method":"POST","url":"Patient"}}]}""".formatted(System.nanoTime() % 1_000_000, meta(tag));
    JsonPath r = post(bundle).then().statusCode(200).extract().jsonPath();
    String org = r.getString("entry[0].response.location").split("/")[1];
    String patient = r.getString("entry[1].response.location").split("/")[1];
    json().get("/Patient/" + patient).then().body("managingOrganization.reference", equalTo("Organization/" + org));
  }
}
