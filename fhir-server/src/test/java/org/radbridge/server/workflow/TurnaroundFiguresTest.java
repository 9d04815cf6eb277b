package org.radbridge.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** $turnaround and the turnaround metrics on a constructed history whose figures are known. */
class TurnaroundFiguresTest extends ServerTestBase {
  private static final Instant STUDY = Instant.parse("2020-01-01T10:00:00Z");
  @Autowired
  TurnaroundMetrics metrics;
  private String run;

  private void row(String id, String centre, String modality, String priority, int finalMin, Integer deliveredMin,
      int dueMin) {
    jdbc.update("INSERT INTO order_turnaround (order_id, ordering_org, reading_org, modality, priority, status,"
        + " ordered_at, scheduled_at, study_at, due_at, final_at, delivered_at) VALUES (?, ?, 'Organization/org-city-hospital',"
        + " ?, ?, 'completed', ?, ?, ?, ?, ?, ?)", run + id, "Organization/org-" + centre + "-" + run, modality, priority,
        ts(-20), ts(-10), ts(0), ts(dueMin), ts(finalMin), deliveredMin == null ? null : ts(deliveredMin));
  }

  private static Timestamp ts(int minutes) {
    return Timestamp.from(STUDY.plus(Duration.ofMinutes(minutes)));
  }

  @BeforeEach
  void history() {
    run = unique("ta");
    // a constructed day: minutes from study to the report reaching the centre are 10, 20, 30, 40, 50
    row("o1", "a", "CT", "stat", 10, null, 15);      // within SLA, within 30
    row("o2", "a", "CT", "routine", 20, null, 60);   // within SLA, within 30
    row("o3", "a", "MR", "urgent", 30, null, 30);    // within SLA (on the due minute), within 30
    row("o4", "b", "CT", "asap", 40, null, 20);      // late
    row("o5", "b", "US", "routine", 45, 50, 60);     // final at 45, delivered at 50: 50 minutes, within SLA
  }

  private JsonPath report() {
    return json().queryParam("start", "2020-01-01T00:00:00Z").queryParam("end", "2020-01-02T00:00:00Z")
        .get("/$turnaround").then().statusCode(200).extract().jsonPath();
  }

  /** This run's rows only: the same day may hold rows of earlier runs on a shared database. */
  private static String group(String figure) {
    return "group.find { it.code.coding[0].code == '" + figure + "' }";
  }

  @Test
  void theFiguresOfAConstructedDayAreTheKnownAnswers() {
    JsonPath r = report();
    assertThat(r.getString("resourceType")).isEqualTo("MeasureReport");
    assertThat(r.getString("type")).isEqualTo("summary");
    assertThat(r.getString("measure")).isEqualTo(TurnaroundProvider.MEASURE);
    String centreA = "Organization/org-a-" + run;
    String centreB = "Organization/org-b-" + run;
    String stratum = ".stratifier.find { it.code[0].coding[0].code == 'community-centre' }.stratum.find { it.value.text == '%s' }";
    assertThat(r.getInt(group("count") + stratum.formatted(centreA) + ".measureScore.value")).isEqualTo(3);
    assertThat(r.getInt(group("count") + stratum.formatted(centreB) + ".measureScore.value")).isEqualTo(2);
    assertThat(r.getDouble(group("median-minutes") + stratum.formatted(centreA) + ".measureScore.value")).isEqualTo(20.0);
    assertThat(r.getDouble(group("p90-minutes") + stratum.formatted(centreA) + ".measureScore.value")).isEqualTo(28.0);
    assertThat(r.getDouble(group("median-minutes") + stratum.formatted(centreB) + ".measureScore.value")).isEqualTo(45.0);
    assertThat(r.getDouble(group("p90-minutes") + stratum.formatted(centreB) + ".measureScore.value")).isEqualTo(49.0);
    assertThat(r.getDouble(group("within-sla") + stratum.formatted(centreA) + ".measureScore.value")).isEqualTo(1.0);
    assertThat(r.getDouble(group("within-sla") + stratum.formatted(centreB) + ".measureScore.value")).isEqualTo(0.5);
    assertThat(r.getDouble(group("within-30-minutes") + stratum.formatted(centreA) + ".measureScore.value")).isEqualTo(1.0);
    assertThat(r.getDouble(group("within-30-minutes") + stratum.formatted(centreB) + ".measureScore.value")).isEqualTo(0.0);
    assertThat(r.getString(group("median-minutes") + stratum.formatted(centreA) + ".measureScore.unit")).isEqualTo("min");
    String priority = ".stratifier.find { it.code[0].coding[0].code == 'priority' }.stratum.find { it.value.text == 'stat' }";
    assertThat(r.getInt(group("count") + priority + ".population[0].count")).isGreaterThanOrEqualTo(1);
    String day = ".stratifier.find { it.code[0].coding[0].code == 'day' }.stratum.find { it.value.text == '2020-01-01' }";
    assertThat(r.getInt(group("count") + day + ".measureScore.value")).isGreaterThanOrEqualTo(5);
  }

  @Test
  void theOverallFiguresOfAnEmptyPeriodAndABadPeriod() {
    json().queryParam("start", "2019-01-01T00:00:00Z").queryParam("end", "2019-01-02T00:00:00Z").get("/$turnaround")
        .then().statusCode(200).body(group("count") + ".population[0].count", org.hamcrest.Matchers.equalTo(0));
    json().queryParam("start", "2020-01-02T00:00:00Z").queryParam("end", "2020-01-01T00:00:00Z").get("/$turnaround")
        .then().statusCode(400).body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("must be before"));
  }

  @Test
  void theSameFiguresAreExportedAsPrometheusGauges() {
    jdbc.update("INSERT INTO order_turnaround (order_id, ordering_org, reading_org, modality, priority, status,"
        + " ordered_at, study_at, due_at, final_at) VALUES (?, 'Organization/org-centre-a', 'Organization/org-city-hospital',"
        + " 'CT', 'stat', 'completed', now() - interval '40 minutes', now() - interval '30 minutes',"
        + " now() - interval '15 minutes', now() - interval '18 minutes')", run + "recent");
    metrics.refresh();
    String text = RestAssured.given().basePath("").get("/actuator/prometheus").then().statusCode(200).extract().asString();
    assertThat(text).contains("radbridge_turnaround_orders{grouping=\"all\",value=\"all\"}")
        .contains("radbridge_turnaround_median_minutes{grouping=\"priority\",value=\"stat\"}")
        .contains("radbridge_turnaround_within_sla_ratio{grouping=\"reading-hospital\",value=\"Organization/org-city-hospital\"}")
        .contains("radbridge_turnaround_within_30min_ratio");
  }
}
