package org.radbridge.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.radbridge.server.job.JobQueue;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Rows stored before organisation scoping (their readers empty, as changeset 017 left them) get
 * the readers their content names from the backfill job: the patient, the order, the report that
 * belongs to it — in whatever order the job meets them.
 */
class ReadersBackfillTest extends ServerTestBase {
  @Autowired
  JobQueue jobs;

  private String create(String json) {
    return json().body(json).post("/" + json.replaceAll("(?s).*?\"resourceType\":\"(\\w+)\".*", "$1"))
        .then().statusCode(201).extract().path("id");
  }

  private int read(String org, String ref) {
    return RestAssured.given().header("Authorization", TestTokens.orgReader(port, org)).accept("application/fhir+json")
        .get("/" + ref).statusCode();
  }

  @Test
  void rowsWithoutReadersGetThoseTheirContentNames() {
    String patient = create("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}]}"""
        .formatted(unique("old")));
    // the report first, the order after it: the job meets them by res_pk in that order
    String order = unique("old-order").replace('_', '-');
    String report = create("""
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},"subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(patient, order));
    json().body("""
        {"resourceType":"ServiceRequest","id":"%s","status":"active","intent":"order","code":{"text":"consultation"},
         "subject":{"reference":"Patient/%s"},"requester":{"reference":"Organization/org-centre-a"},
         "performer":[{"reference":"Organization/org-city-hospital"}]}""".formatted(order, patient))
        .put("/ServiceRequest/" + order).then().statusCode(201);
    Map<String, String> refs = Map.of("Patient", patient, "ServiceRequest", order, "DiagnosticReport", report);

    // as a database from before changeset 017 has them
    refs.forEach((type, id) -> jdbc.update("UPDATE resource SET own_readers = '{}', readers = '{}' WHERE res_type = ?"
        + " AND res_id = ?", type, id));
    refs.forEach((type, id) -> assertThat(read("centre-a", type + "/" + id)).as("%s before", type).isEqualTo(404));

    long job = jobs.enqueue(ReadersBackfill.KIND, "test", "", null);
    Await.until("the backfill job done", Duration.ofSeconds(60),
        () -> jobs.find(job).map(j -> "done".equals(j.state())).orElse(false));

    refs.forEach((type, id) -> {
      assertThat(read("centre-a", type + "/" + id)).as("centre A reads %s", type).isEqualTo(200);
      assertThat(read("city-hospital", type + "/" + id)).as("the reading hospital reads %s", type).isEqualTo(200);
      assertThat(read("centre-b", type + "/" + id)).as("centre B does not read %s", type).isEqualTo(404);
    });
  }
}
