package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.model.Message;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.radbridge.server.audit.AuditLog;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The HL7 v2 channel's audit trail over real MLLP: each message received is one Import record with
 * the outcome of the ACK it got (AA 0, AE 4, AR 8), MSH-3^MSH-4 and the peer's address as agent,
 * its control id and what it wrote; the sender's writes carry its address; each delivery attempt of
 * an outbound message is one Export record with the receiver's ACK.
 */
class Hl7AuditTest extends ServerTestBase {
  @Autowired
  MllpListener listener;
  @Autowired
  AuditLog audit;

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  private static String orm(String controlId, String sender, String pid3, String accession) {
    return String.join("\r",
        "MSH|^~\\&|" + sender + "|RADBRIDGE|NETWORK|20261207091200||ORM^O01|" + controlId + "|P|2.5.1",
        "PID|1||" + pid3 + "||Zhao^Lei||19700101|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|PL-" + accession + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession);
  }

  private Message send(String message) throws Exception {
    try (MllpClient c = new MllpClient(listener.port())) {
      return c.send(message);
    }
  }

  private JsonPath events(String query) {
    audit.drain();
    String auditor = "Bearer " + TestTokens.token(port, TestTokens.CLIENT_ID, TestTokens.key(), "radbridge/audit");
    return RestAssured.given().header("Authorization", auditor).accept("application/fhir+json")
        .get("/AuditEvent?" + query).then().statusCode(200).extract().jsonPath();
  }

  /** Each event of the search whose control id is one of {@code controlIds}, as "control id → outcome agent-address". */
  private static Map<String, String> byControlId(JsonPath trail, List<String> controlIds) {
    Map<String, String> out = new java.util.HashMap<>();
    int count = trail.getList("entry") == null ? 0 : trail.getList("entry").size();
    for (int i = 0; i < count; i++) {
      String at = "entry[" + i + "].resource.";
      String controlId = trail.getString(at + "entity.find { it.description != null }.description");
      if (controlId != null && controlIds.contains(controlId)) {
        out.put(controlId, trail.getString(at + "outcome") + " " + trail.getString(at + "agent[0].network.address"));
      }
    }
    return out;
  }

  @Test
  void eachMessageReceivedIsRecordedWithTheOutcomeOfItsAckAndTheSenderAsAgent() throws Exception {
    String n = V2Fixtures.suffix();
    String mrn = "M" + n + "^^^CENTRE_A_MRN";
    receivers().hospitalRis().refuseNext("A" + n, 1); // the first delivery of the order to the hospital: AE
    assertThat(MllpClient.msa1(send(orm("C" + n, "HIS_A|CENTRE_A", mrn, "A" + n)))).isEqualTo("AA");
    assertThat(MllpClient.msa1(send(orm("E" + n, "HIS_A|CENTRE_A", "", "E" + n)))).isEqualTo("AE"); // no PID-3
    assertThat(MllpClient.msa1(send(orm("U" + n, "HIS_X|NOWHERE", mrn, "U" + n)))).isEqualTo("AE"); // unknown sender
    try (Socket elsewhere = new Socket()) { // HIS_A from an address not its own: AR
      elsewhere.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      elsewhere.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()));
      elsewhere.setSoTimeout(10_000);
      elsewhere.getOutputStream().write(TestMllpReceiver.frame(orm("R" + n, "HIS_A|CENTRE_A", mrn, "R" + n)
          .getBytes(StandardCharsets.UTF_8)));
      assertThat(MllpSocket.answer(elsewhere.getInputStream())).contains("MSA|AR|R" + n);
    }
    String patient = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/mrn|M" + n)
        .get("/Patient").then().statusCode(200).extract().path("entry[0].resource.id");
    String order = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|A" + n)
        .get("/ServiceRequest").then().statusCode(200).extract().path("entry[0].resource.id");

    // by patient: the one message that wrote the patient's data, with what it wrote
    JsonPath received = events("patient=Patient/" + patient + "&type=110107&subtype=ORM^O01");
    assertThat(received.getList("entry")).hasSize(1);
    assertThat(received.getString("entry[0].resource.outcome")).isEqualTo("0");
    assertThat(received.getString("entry[0].resource.agent[0].who.identifier.value")).isEqualTo("HIS_A^CENTRE_A");
    assertThat(received.getString("entry[0].resource.agent[0].network.address")).isEqualTo("127.0.0.1");
    assertThat(received.getString("entry[0].resource.agent[1].who.reference")).isEqualTo("Organization/org-centre-a");
    assertThat(received.getList("entry[0].resource.entity.what.reference", String.class))
        .contains("Patient/" + patient, "ServiceRequest/" + order);
    assertThat(received.getList("entry[0].resource.entity.description", String.class)).contains("C" + n);
    // the message's writes carry the sender and its address too
    JsonPath writes = events("patient=Patient/" + patient + "&agent=HIS_A^CENTRE_A&subtype=create");
    assertThat(String.valueOf((Object) writes.get("entry.resource.entity.what.reference")))
        .contains("ServiceRequest/" + order);
    assertThat(writes.getList("entry.resource.collect { it.agent[0].network.address }", String.class)).containsOnly("127.0.0.1");

    // by agent: the sender's messages of this test, each with its outcome and address
    List<String> ours = List.of("C" + n, "E" + n, "R" + n, "U" + n);
    assertThat(byControlId(events("agent=HIS_A^CENTRE_A&type=110107&_count=1000"), ours)).containsExactlyInAnyOrderEntriesOf(
        Map.of("C" + n, "0 127.0.0.1", "E" + n, "4 127.0.0.1", "R" + n, "8 127.0.0.2"));
    JsonPath unknown = events("agent=HIS_X^NOWHERE&type=110107&_count=1000");
    assertThat(byControlId(unknown, ours)).containsExactlyInAnyOrderEntriesOf(Map.of("U" + n, "4 127.0.0.1"));
    assertThat(unknown.getList("entry.resource.outcomeDesc", String.class)).anyMatch(d -> d.startsWith("AE 204"));
    assertThat(unknown.getList("entry.resource.collect { it.agent.size() }", Integer.class)).containsOnly(1); // no organisation: not recognised

    // the order sent to the reading hospital: a refused attempt (AE) and the accepted one
    Await.until("two delivery attempts recorded", Duration.ofSeconds(20),
        () -> events("patient=Patient/" + patient + "&type=110106").getList("entry").size() >= 2);
    JsonPath sent = events("patient=Patient/" + patient + "&type=110106");
    assertThat(sent.getList("entry.resource.outcome", String.class)).containsExactlyInAnyOrder("4", "0");
    assertThat(sent.getList("entry.resource.collect { it.subtype[0].code }", String.class)).containsOnly("ORM^O01");
    assertThat(sent.getList("entry.resource.collect { it.agent[0].who.identifier.value }", String.class))
        .containsOnly("RIS_CITY^CITY_HOSP");
    assertThat(sent.getList("entry.resource.collect { it.agent[0].network.address }", String.class))
        .containsOnly("127.0.0.1:" + receivers().hospitalRis().port());
    assertThat(String.valueOf((Object) sent.get("entry.resource.entity.what.reference")))
        .contains("ServiceRequest/" + order);
  }

  @Test
  void aQuarantinedReportAndAnOrderForAnotherCentresPatientAreRecordedAsRefused() throws Exception {
    String n = V2Fixtures.suffix();
    String mrn = "M" + n + "^^^CENTRE_A_MRN";
    assertThat(MllpClient.msa1(send(orm("C" + n, "HIS_A|CENTRE_A", mrn, "A" + n)))).isEqualTo("AA");
    // the order is routed to city-hospital: north-hospital's report of it is kept in quarantine, AE
    Message quarantined = send(String.join("\r",
        "MSH|^~\\&|RIS_NORTH|NORTH_HOSP|RADBRIDGE|NETWORK|20261207100500||ORU^R01|Q" + n + "|P|2.5.1",
        "PID|1||" + mrn + "||Zhao^Lei",
        "OBR|1|PL-A" + n + "||30799-1^CT Head WO contrast^LN|||20261207094011|||||||||||A" + n
            + "||||20261207100500|||F",
        "OBX|1|TX|REPORT^Report||Report from the wrong hospital||||||F"));
    assertThat(MllpClient.msa1(quarantined)).as(quarantined.encode()).isEqualTo("AE");
    // centre B's HIS ordering for centre A's patient: AE, nothing written
    assertThat(MllpClient.msa1(send(orm("B" + n, "HIS_B|CENTRE_B", mrn, "B" + n)))).isEqualTo("AE");

    JsonPath north = events("agent=RIS_NORTH^NORTH_HOSP&type=110107&subtype=ORU^R01&_count=1000");
    assertThat(byControlId(north, List.of("Q" + n))).containsExactlyEntriesOf(Map.of("Q" + n, "4 127.0.0.1"));
    JsonPath kept = events("entity=" + "DiagnosticReport/" + json().queryParam("_tag",
            "https://radbridge.org/fhir/CodeSystem/work-item|quarantined").queryParam("identifier", "https://radbridge.org/fhir/sid/north-hospital/report|A" + n)
        .get("/DiagnosticReport").then().statusCode(200).extract().path("entry[0].resource.id") + "&type=110107&subtype=ORU^R01");
    assertThat(kept.getList("entry.resource.outcome", String.class)).containsExactly("4");
    assertThat(kept.getString("entry[0].resource.outcomeDesc")).startsWith("AE 207").contains("quarantine");
    assertThat(kept.getString("entry[0].resource.agent[1].who.reference")).isEqualTo("Organization/org-north-hospital");

    JsonPath centreB = events("agent=HIS_B^CENTRE_B&type=110107&_count=1000");
    assertThat(byControlId(centreB, List.of("B" + n))).containsExactlyEntriesOf(Map.of("B" + n, "4 127.0.0.1"));
  }
}
