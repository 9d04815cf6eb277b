package org.radbridge.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/** The reading worklist, the SLA due time and flags, and per-order timestamps, through the REST write path. */
class WorklistTest extends ServerTestBase {
  private String order(String reading, String priority, String status) {
    return json().body("""
        {"resourceType":"ServiceRequest","status":"%s","intent":"order","priority":"%s",
         "category":[{"coding":[{"system":"http://snomed.info/sct","code":"363679005","display":"Imaging"}]}],
         "code":{"text":"CT head"},"subject":{"reference":"Patient/wl-patient"},
         "performer":[{"reference":"%s"}]}""".formatted(status, priority, reading))
        .post("/ServiceRequest").then().statusCode(201).extract().path("id");
  }

  private String study(String order) {
    return json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"Patient/wl-patient"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(order))
        .post("/ImagingStudy").then().statusCode(201).extract().path("id");
  }

  private void report(String order, String status) {
    json().body("""
        {"resourceType":"DiagnosticReport","status":"%s","code":{"text":"CT head"},
         "subject":{"reference":"Patient/wl-patient"},"basedOn":[{"reference":"ServiceRequest/%s"}],
         "resultsInterpreter":[{"display":"Dr Chen"}]}""".formatted(status, order))
        .post("/DiagnosticReport").then().statusCode(201);
  }

  @Test
  void theWorklistListsUnreportedStudiesByPriorityThenWaitingTimeWithTheirOrderPatientAndTask() throws Exception {
    String reading = "Organization/org-" + unique("wl");
    String routine1 = order(reading, "routine", "active");
    String stat = order(reading, "stat", "active");
    String urgent = order(reading, "urgent", "active");
    String asap = order(reading, "asap", "active");
    String routine2 = order(reading, "routine", "active");
    String reported = order(reading, "stat", "active");
    String cancelled = order(reading, "stat", "active");
    String noStudy = order(reading, "stat", "active");
    String sRoutine1 = study(routine1);
    Thread.sleep(5);
    String sStat = study(stat);
    String sUrgent = study(urgent);
    String sAsap = study(asap);
    Thread.sleep(5);
    String sRoutine2 = study(routine2);
    study(reported);
    report(reported, "final");
    study(cancelled);
    json().body("""
        {"resourceType":"ServiceRequest","id":"%s","status":"revoked","intent":"order","priority":"stat",
         "code":{"text":"CT head"},"subject":{"reference":"Patient/wl-patient"},"performer":[{"reference":"%s"}]}"""
        .formatted(cancelled, reading)).put("/ServiceRequest/" + cancelled).then().statusCode(200);
    assertThat(noStudy).isNotNull();

    JsonPath page1 = json().queryParam("organization", reading).queryParam("_count", 2)
        .get("/ImagingStudy/$worklist").then().statusCode(200).extract().jsonPath();
    assertThat(page1.getInt("total")).isEqualTo(5);
    assertThat(page1.getList("entry.findAll { it.search.mode == 'match' }.resource.id")).containsExactly(sStat, sAsap);
    // each study comes with its order, patient and Task
    assertThat(page1.getList("entry.findAll { it.search.mode == 'include' }.resource.resourceType"))
        .containsExactly("ServiceRequest", "Task", "ServiceRequest", "Task");
    String next = page1.getString("link.find { it.relation == 'next' }.url");
    JsonPath page2 = json().get(next.replaceAll("^.*/fhir", "")).then().statusCode(200).extract().jsonPath();
    JsonPath page3 = json().get(page2.getString("link.find { it.relation == 'next' }.url").replaceAll("^.*/fhir", ""))
        .then().statusCode(200).extract().jsonPath();
    assertThat(page2.getList("entry.findAll { it.search.mode == 'match' }.resource.id")).containsExactly(sUrgent, sRoutine1);
    assertThat(page3.getList("entry.findAll { it.search.mode == 'match' }.resource.id")).containsExactly(sRoutine2);
    assertThat(page3.getString("link.find { it.relation == 'next' }")).isNull();

    // the Task carries the due time: stat is due 15 minutes after the study became available
    JsonPath task = json().get("/Task/order-" + stat).jsonPath();
    Instant from = Instant.parse(task.getString("restriction.period.start"));
    Instant due = Instant.parse(task.getString("restriction.period.end"));
    assertThat(Duration.between(from, due)).isEqualTo(Duration.ofMinutes(15));
    assertThat(Duration.between(Instant.parse(json().get("/Task/order-" + routine1).jsonPath()
        .getString("restriction.period.start")), Instant.parse(json().get("/Task/order-" + routine1).jsonPath()
        .getString("restriction.period.end")))).isEqualTo(Duration.ofMinutes(60));

    // the reported order's timestamps
    JsonPath t = json().get("/ServiceRequest/" + reported + "/$turnaround").then().statusCode(200).extract().jsonPath();
    List<String> names = t.getList("parameter.name");
    assertThat(names).contains("ordered", "scheduled", "study", "due", "final", "reading-org", "priority");
    assertThat(names).doesNotContain("delivered", "flagged");
    Instant ordered = Instant.parse(t.getString("parameter.find { it.name == 'ordered' }.valueInstant"));
    Instant fin = Instant.parse(t.getString("parameter.find { it.name == 'final' }.valueInstant"));
    assertThat(fin).isAfterOrEqualTo(ordered);

    json().get("/ImagingStudy/$worklist").then().statusCode(400);
    json().queryParam("organization", reading).queryParam("_count", "many").get("/ImagingStudy/$worklist")
        .then().statusCode(400).body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("_count"));
  }

  @Test
  void anOrderPastItsSlaIsFlaggedUntilItsFinalReport() throws Exception {
    String order = order("Organization/org-sla-test", "routine", "active"); // routine SLA there: 1 s
    study(order);
    org.radbridge.server.Await.until("the SLA flag raised", java.time.Duration.ofMillis(15_000), () -> !(json().get("/Flag/sla-" + order).statusCode() != 200));
    json().get("/Flag/sla-" + order).then().statusCode(200).body("status", equalTo("active"))
        .body("code.coding[0].code", equalTo("sla-breached")).body("subject.reference", equalTo("Patient/wl-patient"))
        .body("extension.valueReference.reference", org.hamcrest.Matchers.hasItems("ServiceRequest/" + order,
            "Task/order-" + order));
    json().queryParam("code", SlaWatch.FLAG_CODES + "|sla-breached").queryParam("status", "active")
        .queryParam("_id", "sla-" + order).get("/Flag").then().body("entry.size()", equalTo(1));
    report(order, "final");
    org.radbridge.server.Await.until("the SLA flag resolved", java.time.Duration.ofMillis(15_000), () -> "inactive".equals(json().get("/Flag/sla-" + order).jsonPath().getString("status")));
    json().get("/Flag/sla-" + order).then().body("status", equalTo("inactive"))
        .body("period.end", org.hamcrest.Matchers.notNullValue());
  }
}
