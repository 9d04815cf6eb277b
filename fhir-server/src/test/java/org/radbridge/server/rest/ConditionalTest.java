package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

class ConditionalTest extends ServerTestBase {
  private static final String SYS = "urn:test:mrn";

  @Autowired
  DataSource dataSource;

  private String patient(String mrn) {
    return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + SYS + "\",\"value\":\"" + mrn
        + "\"}],\"name\":[{\"family\":\"Cond\"}]}";
  }

  private long patientsWith(String mrn) {
    return count("SELECT count(*) FROM idx_token t JOIN resource r USING (res_pk) WHERE r.res_type = 'Patient'"
        + " AND NOT r.deleted AND t.param = 'identifier' AND t.system = ? AND t.code = ?", SYS, mrn);
  }

  @Test
  void ifNoneExistCreatesOnceThenReturnsTheMatch() {
    String mrn = unique("mrn");
    Response first = json().header("If-None-Exist", "identifier=" + SYS + "|" + mrn).body(patient(mrn)).post("/Patient");
    first.then().statusCode(201);
    String id = first.jsonPath().getString("id");
    Response second = json().header("If-None-Exist", "identifier=" + SYS + "|" + mrn).body(patient(mrn)).post("/Patient");
    second.then().statusCode(200).body("id", equalTo(id)).body("meta.versionId", equalTo("1"));
    assertThat(patientsWith(mrn)).isEqualTo(1);
  }

  @Test
  void ifNoneExistWithSeveralMatchesIs412AndWritesNothing() {
    String mrn = unique("mrn");
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().header("If-None-Exist", "identifier=" + SYS + "|" + mrn).body(patient(mrn)).post("/Patient")
        .then().statusCode(412).body("issue[0].diagnostics", containsString("more than one"));
    assertThat(patientsWith(mrn)).isEqualTo(2);
  }

  @Test
  void ifNoneExistWithUnknownParameterIs400() {
    String mrn = unique("mrn");
    json().header("If-None-Exist", "no-such-param=1").body(patient(mrn)).post("/Patient")
        .then().statusCode(400).body("issue[0].diagnostics", containsString("no-such-param"));
    assertThat(patientsWith(mrn)).isZero();
  }

  @Test
  void twentyParallelIdenticalConditionalCreatesMakeExactlyOne() throws Exception {
    String mrn = unique("mrn");
    List<Response> responses = sendParallel(mrn, List.of(port), 20);
    assertOneCreated(mrn, responses);
  }

  @Test
  void conditionalCreatesOnTwoServerNodesSharingTheDatabaseMakeExactlyOne() throws Exception {
    try (ConfigurableApplicationContext node2 = secondNode()) {
      int port2 = ((WebServerApplicationContext) node2).getWebServer().getPort();
      assertThat(port2).isNotEqualTo(port);
      for (int round = 0; round < 3; round++) {
        String mrn = unique("mrn2");
        List<Response> responses = sendParallel(mrn, List.of(port, port2), 20);
        assertOneCreated(mrn, responses);
      }
    }
  }

  private void assertOneCreated(String mrn, List<Response> responses) {
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (Response r : responses) {
      assertThat(r.statusCode()).as(r.asString()).isIn(200, 201);
      if (r.statusCode() == 201) {
        created++;
      }
      ids.add(r.jsonPath().getString("id"));
    }
    assertThat(created).isEqualTo(1);
    assertThat(ids).hasSize(1);
    assertThat(patientsWith(mrn)).isEqualTo(1);
  }

  private List<Response> sendParallel(String mrn, List<Integer> ports, int n) throws Exception {
    return parallel(ports, n, p -> RestAssured.given().port(p).basePath("/fhir").contentType("application/fhir+json")
        .header("If-None-Exist", "identifier=" + SYS + "|" + mrn).body(patient(mrn)).post("/Patient"));
  }

  /** {@code n} requests at once, spread over the ports; their responses. */
  private static List<Response> parallel(List<Integer> ports, int n,
      java.util.function.IntFunction<Response> request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<Callable<Response>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int p = ports.get(i % ports.size());
        calls.add(() -> {
          start.await();
          return request.apply(p);
        });
      }
      List<Future<Response>> futures = new ArrayList<>();
      for (Callable<Response> c : calls) {
        futures.add(pool.submit(c));
      }
      start.countDown();
      List<Response> out = new ArrayList<>();
      for (Future<Response> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  private static Response conditionalPut(int port, String mrn, int i) {
    return RestAssured.given().port(port).basePath("/fhir").contentType("application/fhir+json")
        .body("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + SYS + "\",\"value\":\"" + mrn
            + "\"}],\"name\":[{\"family\":\"Put" + i + "\"}]}")
        .put("/Patient?identifier=" + SYS + "|" + mrn);
  }

  /** Exactly one Patient, made by exactly one 201, and every response names it. */
  private void assertOnePutCreated(String mrn, List<Response> responses) {
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (Response r : responses) {
      assertThat(r.statusCode()).as(r.asString()).isIn(200, 201);
      created += r.statusCode() == 201 ? 1 : 0;
      ids.add(r.jsonPath().getString("id"));
    }
    assertThat(created).isEqualTo(1);
    assertThat(ids).hasSize(1);
    assertThat(patientsWith(mrn)).isEqualTo(1);
    // every PUT after the first was an update of the one resource: one version each
    json().get("/Patient/" + ids.iterator().next()).then().statusCode(200)
        .body("meta.versionId", equalTo(String.valueOf(responses.size())));
  }

  @Test
  void twentyParallelConditionalUpdatesMakeExactlyOne() throws Exception {
    String mrn = unique("put");
    java.util.concurrent.atomic.AtomicInteger i = new java.util.concurrent.atomic.AtomicInteger();
    List<Response> responses = parallel(List.of(port), 20, p -> conditionalPut(p, mrn, i.incrementAndGet()));
    assertOnePutCreated(mrn, responses);
  }

  @Test
  void conditionalUpdatesOnTwoServerNodesMakeExactlyOne() throws Exception {
    try (ConfigurableApplicationContext node2 = secondNode()) {
      int port2 = ((WebServerApplicationContext) node2).getWebServer().getPort();
      String mrn = unique("put2");
      List<Response> responses = parallel(List.of(port, port2), 20, p -> conditionalPut(p, mrn, 0));
      assertOnePutCreated(mrn, responses);
    }
  }

  private ConfigurableApplicationContext secondNode() {
    return org.radbridge.server.TestServers.sharing(dataSource).start();
  }

  @Test
  void twentyParallelTransactionsWithTheSameConditionalCreateMakeExactlyOne() throws Exception {
    parallelConditionalTransactions(List.of(port));
  }

  @Test
  void conditionalCreatesInTransactionsOnTwoNodesMakeExactlyOne() throws Exception {
    try (ConfigurableApplicationContext node2 = secondNode()) {
      parallelConditionalTransactions(List.of(port, org.radbridge.server.TestServers.port(node2)));
    }
  }

  private void parallelConditionalTransactions(List<Integer> ports) throws Exception {
    String mrn = unique("tx");
    String bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:0b6c4a8e-1f1e-4c55-9d7a-5e2f3c1d0a01","resource":%s,
           "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=%s|%s"}},
          {"resource":{"resourceType":"Observation","status":"final","code":{"text":"weight"},
            "subject":{"reference":"urn:uuid:0b6c4a8e-1f1e-4c55-9d7a-5e2f3c1d0a01"}},
           "request":{"method":"POST","url":"Observation"}}]}""".formatted(patient(mrn), SYS, mrn);
    List<Response> responses = parallel(ports, 20, p -> RestAssured.given().port(p).basePath("/fhir")
        .contentType("application/fhir+json").body(bundle).post("/"));
    Set<String> patients = new HashSet<>();
    int created = 0;
    for (Response r : responses) {
      assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
      String status = r.jsonPath().getString("entry[0].response.status");
      created += status.startsWith("201") ? 1 : 0;
      patients.add(r.jsonPath().getString("entry[0].response.location").replaceAll("/_history/.*$", ""));
    }
    assertThat(created).isEqualTo(1);
    assertThat(patients).hasSize(1);
    assertThat(patientsWith(mrn)).isEqualTo(1);
    // all twenty Observations refer to the one Patient
    assertThat(count("SELECT count(*) FROM idx_reference x JOIN resource r USING (res_pk) WHERE r.res_type = 'Observation'"
        + " AND x.param = 'subject' AND x.target_type = 'Patient' AND x.target_id = ?",
        patients.iterator().next().substring("Patient/".length()))).isEqualTo(20);
  }

  @Test
  void conditionalUpdateCreatesUpdatesOrRefuses() {
    String mrn = unique("mrn");
    String criteria = "/Patient?identifier=" + SYS + "|" + mrn;
    // no match: creates
    Response created = json().body(patient(mrn)).put(criteria);
    created.then().statusCode(201);
    String id = created.jsonPath().getString("id");
    // one match: updates that resource
    String v2 = patient(mrn).replace("\"Cond\"", "\"Updated\"");
    json().body(v2).put(criteria).then().statusCode(200)
        .body("id", equalTo(id)).body("meta.versionId", equalTo("2")).body("name[0].family", equalTo("Updated"));
    // body id differing from the match: 400
    json().body(v2.replace("{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"id\":\"other\","))
        .put(criteria).then().statusCode(400).body("issue[0].diagnostics", containsString("does not match"));
    // two matches: 412, nothing written
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().body(v2).put(criteria).then().statusCode(412).body("issue[0].diagnostics", containsString("more than one"));
    json().get("/Patient/" + id).then().body("meta.versionId", equalTo("2"));
  }

  @Test
  void conditionalDeleteDeletesOneRefusesManyAndIgnoresNone() {
    String mrn = unique("mrn");
    String criteria = "/Patient?identifier=" + SYS + "|" + mrn;
    json().delete(criteria).then().statusCode(200).body("issue[0].diagnostics", containsString("nothing was deleted"));
    String id = json().body(patient(mrn)).post("/Patient").jsonPath().getString("id");
    json().delete(criteria).then().statusCode(200).body("issue[0].diagnostics", containsString("Deleted Patient/" + id));
    json().get("/Patient/" + id).then().statusCode(410);
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().delete(criteria).then().statusCode(412);
    assertThat(patientsWith(mrn)).isEqualTo(2);
  }

  @Test
  void conditionalDeleteWithUnknownParameterDeletesNothing() {
    String mrn = unique("mrn");
    json().body(patient(mrn)).post("/Patient").then().statusCode(201);
    json().delete("/Patient?identifierr=" + SYS + "|" + mrn).then().statusCode(400)
        .body("issue[0].diagnostics", containsString("identifierr"));
    assertThat(patientsWith(mrn)).isEqualTo(1);
  }

  @Test
  void conditionalCreateAfterTheMatchWasDeletedCreatesAgain() {
    String mrn = unique("mrn");
    String header = "identifier=" + SYS + "|" + mrn;
    String id1 = json().header("If-None-Exist", header).body(patient(mrn)).post("/Patient").jsonPath().getString("id");
    json().delete("/Patient/" + id1).then().statusCode(200);
    Response again = json().header("If-None-Exist", header).body(patient(mrn)).post("/Patient");
    again.then().statusCode(201);
    assertThat(again.jsonPath().getString("id")).isNotEqualTo(id1);
  }

  @Test
  void conditionalCreateAfterTheMatchChangedIdentifierCreatesAgain() {
    String mrn = unique("mrn");
    String header = "identifier=" + SYS + "|" + mrn;
    String id1 = json().header("If-None-Exist", header).body(patient(mrn)).post("/Patient").jsonPath().getString("id");
    // the first resource stops matching: a new conditional create makes a new one
    json().body(patient(unique("other")).replace("{\"resourceType\":\"Patient\",",
        "{\"resourceType\":\"Patient\",\"id\":\"" + id1 + "\",")).put("/Patient/" + id1).then().statusCode(200);
    Response again = json().header("If-None-Exist", header).body(patient(mrn)).post("/Patient");
    again.then().statusCode(201);
    assertThat(again.jsonPath().getString("id")).isNotEqualTo(id1);
    assertThat(patientsWith(mrn)).isEqualTo(1);
  }
}
