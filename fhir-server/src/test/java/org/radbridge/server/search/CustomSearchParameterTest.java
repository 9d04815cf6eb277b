package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.job.JobRunner;
import org.springframework.beans.factory.annotation.Autowired;

class CustomSearchParameterTest extends ServerTestBase {
  @Autowired
  JobRunner jobs;

  private String spId(String url) {
    return json().queryParam("url", url).get("/SearchParameter").then().statusCode(200).extract().jsonPath()
        .getString("entry[0].resource.id");
  }

  private JsonPath status(String spId) {
    return json().get("/SearchParameter/" + spId + "/$reindex-status").then().statusCode(200).extract().jsonPath();
  }

  private void awaitSearchable(String spId) throws InterruptedException {
    org.radbridge.server.Await.until("SearchParameter/" + spId + " searchable (reindex done)", Duration.ofSeconds(60),
        () -> status(spId).getBoolean("parameter.find { it.name == 'searchable' }.valueBoolean"));
  }

  @Test
  void shippedNetworkParametersAreStoredAndSearchable() throws Exception {
    String drSp = spId("https://radbridge.org/fhir/SearchParameter/DiagnosticReport-imaging-study");
    String isSp = spId("https://radbridge.org/fhir/SearchParameter/ImagingStudy-accession");
    assertThat(drSp).isNotNull();
    assertThat(isSp).isNotNull();
    awaitSearchable(drSp);
    awaitSearchable(isSp);

    String acsn = unique("A");
    String study = json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"Patient/p"},
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
                        "system":"urn:test:acsn","value":"%s"},
                       {"system":"urn:dicom:uid","value":"urn:oid:1.2.3.%d"}]}""".formatted(acsn, System.nanoTime()))
        .post("/ImagingStudy").then().statusCode(201).extract().jsonPath().getString("id");
    String other = json().body("{\"resourceType\":\"ImagingStudy\",\"status\":\"available\",\"subject\":{\"reference\":\"Patient/p\"}}")
        .post("/ImagingStudy").then().statusCode(201).extract().jsonPath().getString("id");
    String report = json().body("""
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},
         "imagingStudy":[{"reference":"ImagingStudy/%s"}]}""".formatted(study))
        .post("/DiagnosticReport").then().statusCode(201).extract().jsonPath().getString("id");
    json().body("""
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},
         "imagingStudy":[{"reference":"ImagingStudy/%s"}]}""".formatted(other)).post("/DiagnosticReport").then().statusCode(201);

    assertThat(json().queryParam("accession", "urn:test:acsn|" + acsn).get("/ImagingStudy").then().statusCode(200)
        .extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(study);
    assertThat(json().queryParam("imaging-study", "ImagingStudy/" + study).get("/DiagnosticReport").then().statusCode(200)
        .extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(report);
    // chained through the custom reference onto the custom token
    assertThat(json().queryParam("imaging-study.accession", "urn:test:acsn|" + acsn).get("/DiagnosticReport").then()
        .statusCode(200).extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(report);
    // listed in the CapabilityStatement
    assertThat(json().get("/metadata").jsonPath()
        .<String>getList("rest[0].resource.find { it.type == 'ImagingStudy' }.searchParam.name")).contains("accession");
  }

  @Test
  void aParameterCreatedOverRestIndexesExistingResourcesInTheBackgroundThenSearches() throws Exception {
    String code = "nick" + Long.toString(System.nanoTime(), 36);
    String marker = unique("nick");
    // resources that exist before the parameter does
    String p1 = json().body("{\"resourceType\":\"Patient\",\"name\":[{\"use\":\"nickname\",\"text\":\"" + marker + "\"}]}")
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    json().body("{\"resourceType\":\"Patient\",\"name\":[{\"use\":\"official\",\"text\":\"" + marker + "\"}]}")
        .post("/Patient").then().statusCode(201);

    String spId = json().body("""
        {"resourceType":"SearchParameter","url":"urn:test:sp:%s","name":"Nick","status":"active",
         "description":"nickname text","code":"%s","base":["Patient"],"type":"string",
         "expression":"Patient.name.where(use='nickname').text"}""".formatted(code, code))
        .post("/SearchParameter").then().statusCode(201).extract().jsonPath().getString("id");

    JsonPath st = status(spId);
    assertThat(st.getString("parameter.find { it.name == 'state' }.valueString")).isIn("queued", "running", "done");
    awaitSearchable(spId);
    st = status(spId);
    assertThat(st.getString("parameter.find { it.name == 'state' }.valueString")).isEqualTo("done");
    assertThat(st.getDouble("parameter.find { it.name == 'percent' }.valueDecimal")).isEqualTo(100.0);
    assertThat(st.getLong("parameter.find { it.name == 'processed' }.valueDecimal"))
        .isEqualTo(st.getLong("parameter.find { it.name == 'total' }.valueDecimal"));

    // the old resource was reindexed; a new one is indexed on write
    String p3 = json().body("{\"resourceType\":\"Patient\",\"name\":[{\"use\":\"nickname\",\"text\":\"" + marker + "\"}]}")
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    List<String> ids = json().queryParam(code, marker).get("/Patient").then().statusCode(200).extract().jsonPath()
        .getList("entry.resource.id");
    assertThat(ids).containsExactlyInAnyOrder(p1, p3);
  }

  @Test
  void searchBeforeTheReindexFinishedIsRefusedWithProgress() throws Exception {
    String code = "late" + Long.toString(System.nanoTime(), 36);
    String spId = json().body("""
        {"resourceType":"SearchParameter","url":"urn:test:sp:%s","name":"Late","status":"active",
         "description":"d","code":"%s","base":["Observation"],"type":"token","expression":"Observation.status"}"""
        .formatted(code, code)).post("/SearchParameter").then().statusCode(201).extract().jsonPath().getString("id");
    // hold the reindex back (whether or not a worker got to it already), as if it were still running
    jdbc.update("UPDATE job SET state = 'running', next_run_at = now() + interval '1 hour', processed = 0, cursor_pk = 0"
        + " WHERE kind = 'reindex' AND subject = ?", "SearchParameter/" + spId);
    assertThat(status(spId).getBoolean("parameter.find { it.name == 'searchable' }.valueBoolean")).isFalse();
    json().queryParam(code, "final").get("/Observation").then().statusCode(400)
        .body("issue[0].diagnostics", containsString("still being indexed"))
        .body("issue[0].diagnostics", containsString("$reindex-status"));
    // let it run: it resumes from its cursor and the parameter becomes searchable
    jdbc.update("UPDATE job SET next_run_at = now() WHERE kind = 'reindex' AND subject = ?", "SearchParameter/" + spId);
    awaitSearchable(spId);
    json().queryParam(code, "final").get("/Observation").then().statusCode(200).body("resourceType", equalTo("Bundle"));
  }

  @Test
  void unusableSearchParametersAreRefusedWith422() {
    String base = """
        {"resourceType":"SearchParameter","url":"urn:test:sp:%s","name":"Bad","status":"active",
         "description":"d","code":"%s","base":["%s"],"type":"%s","expression":"%s"}""";
    json().body(base.formatted(unique("a"), "gender", "Patient", "token", "Patient.gender")).post("/SearchParameter")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("already an R4 parameter"));
    json().body(base.formatted(unique("b"), "zz", "Patient", "token", "Patient.name.(((")).post("/SearchParameter")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("not valid FHIRPath"));
    json().body(base.formatted(unique("c"), "zz", "NoSuchType", "token", "x")).post("/SearchParameter")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("not a resource type"));
    json().body(base.formatted(unique("d"), "zz", "Patient", "composite", "Patient")).post("/SearchParameter")
        .then().statusCode(422).body("issue[0].diagnostics", containsString("supported are"));
  }

  @Test
  void aFailingJobStepIsRetriedWithBackoffAndRecordsTheError() {
    long id = jdbc.queryForObject("INSERT INTO job (kind, state, subject, payload) VALUES ('no-such-kind', 'queued', ?, '')"
        + " RETURNING job_id", Long.class, unique("subject"));
    for (int i = 0; i < 20 && count("SELECT attempts FROM job WHERE job_id = ?", id) == 0; i++) {
      jobs.runOne();
    }
    assertThat(count("SELECT attempts FROM job WHERE job_id = ?", id)).isGreaterThanOrEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT last_error FROM job WHERE job_id = ?", String.class, id))
        .contains("No handler for job kind 'no-such-kind'");
    assertThat(jdbc.queryForObject("SELECT next_run_at > now() FROM job WHERE job_id = ?", Boolean.class, id)).isTrue();
    jdbc.update("UPDATE job SET state = 'failed' WHERE job_id = ?", id);
  }

  @Test
  void reindexStatusOfAnUnknownParameterIs404() {
    json().get("/SearchParameter/" + unique("none") + "/$reindex-status").then().statusCode(404)
        .body("resourceType", equalTo("OperationOutcome"));
  }
}
