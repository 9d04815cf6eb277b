package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.radbridge.server.audit.AuditLog;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The DICOM channel's audit trail, with real DCMTK peers: an association refused (unknown AE
 * title) and accepted, the instances a node stored per study — found by the study's patient — and
 * a C-FIND with its number of matches.
 */
class DicomAuditTest extends ServerTestBase {
  @TempDir
  Path tmp;
  @Autowired
  DicomListener listener;
  @Autowired
  AuditLog audit;

  @BeforeEach
  void validatorWarm() {
    awaitConformanceReady();
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  private JsonPath events(String... params) {
    audit.drain();
    var req = RestAssured.given().header("Authorization", "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID,
        TestTokens.key(), "radbridge/audit")).accept("application/fhir+json");
    for (int i = 0; i < params.length; i += 2) {
      req = req.queryParam(params[i], params[i + 1]);
    }
    return req.get("/AuditEvent").then().statusCode(200).extract().jsonPath();
  }

  @Test
  void associationsStoresAndFindsAreRecordedWithTheirNodeAndOutcome() throws Exception {
    String stranger = "AU" + System.nanoTime() % 100_000_000L;
    assertThat(run("echoscu", "-aet", stranger, "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(listener.port())))
        .isNotZero();
    Await.until("the refusal recorded", Duration.ofSeconds(10),
        () -> events("agent", stranger).getString("entry[0].resource.id") != null);
    JsonPath refused = events("agent", stranger);
    assertThat(refused.getList("entry.resource.collect { it.type.code + ' ' + it.subtype[0].code + ' ' + it.outcome }"))
        .containsExactly("110114 association 4");
    assertThat(refused.getString("entry[0].resource.outcomeDesc")).isEqualTo("unknown AE title");
    assertThat(refused.getString("entry[0].resource.agent[0].network.address")).isEqualTo("127.0.0.1");

    String mrn = "AUD" + System.nanoTime() % 1_000_000_000L;
    Path file = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0010,0020)=" + mrn);
    String study = TestDicomFiles.tag(file, "0020,000d");
    assertThat(run("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(listener.port()),
        file.toString())).isZero();
    String[] patient = new String[1];
    Await.until("the study's ImagingStudy and patient", Duration.ofSeconds(20), () -> {
      JsonPath p = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + study).get("/ImagingStudy")
          .then().statusCode(200).extract().jsonPath();
      patient[0] = p.getString("entry[0].resource.subject.reference");
      return patient[0] != null;
    });
    // the study is routed on to the reading hospital's PACS, which no test runs here: attempts that fail
    Await.until("a forwarding attempt recorded", Duration.ofSeconds(20), () -> !events("patient", patient[0],
        "subtype", "forward C-STORE").getList("entry.resource.outcome", String.class).isEmpty());
    assertThat(events("patient", patient[0], "subtype", "forward C-STORE")
        .getList("entry.resource.collect { it.outcome + ' ' + it.agent[0].who.identifier.value }", String.class))
        .isNotEmpty().containsOnly("8 CITY_PACS");
    JsonPath stored = events("patient", patient[0], "subtype", "C-STORE");
    assertThat(stored.getList("entry.resource.collect { it.subtype[0].code + ' ' + it.outcome + ' ' + it.agent[0].who.identifier.value }"))
        .containsExactly("C-STORE 0 CT_A");
    assertThat(stored.getList("entry.resource.entity.flatten().description", String.class))
        .anyMatch(d -> d != null && d.contains("study " + study + ": 1 instance(s) stored"));
    assertThat(stored.getList("entry.resource.agent.flatten().who.reference", String.class))
        .contains("Organization/org-centre-a");

    assertThat(run("findscu", "-W", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "PatientID=" + mrn,
        "127.0.0.1", String.valueOf(listener.port()))).isZero();
    // recorded after the final response has gone out: the peer may be gone before it is
    Await.until("the C-FIND recorded", Duration.ofSeconds(10),
        () -> events("agent", "CT_A", "type", "110112", "_count", "1").getString("entry[0].resource.id") != null);
    JsonPath found = events("agent", "CT_A", "type", "110112", "_count", "1");
    assertThat(found.getString("entry[0].resource.subtype[0].code")).isEqualTo("C-FIND MWL");
    assertThat(found.getString("entry[0].resource.outcome")).isEqualTo("0");
    assertThat(found.getList("entry[0].resource.entity.description", String.class)).contains("0 match(es)");
    List<String> accepted = events("agent", "CT_A", "type", "110114", "outcome", "0", "_count", "2")
        .getList("entry.resource.collect { it.subtype[0].code }");
    assertThat(accepted).containsOnly("association").hasSize(2);
  }
}
