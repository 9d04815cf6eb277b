package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What a known HL7 sender may write over real MLLP: a hospital's report for an order routed to another
 * hospital is quarantined (AE), an HIS's order for another centre's patient or order is refused (AE),
 * and so is its patient update (ADT^A08) or merge (ADT^A40) of another centre's patient.
 */
class SenderScopeTest extends ServerTestBase {
  private static final String QUARANTINED = "https://radbridge.org/fhir/CodeSystem/work-item|quarantined";
  @Autowired
  MllpListener listener;

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  private Message send(String message) throws Exception {
    try (MllpClient c = new MllpClient(listener.port())) {
      return c.send(message);
    }
  }

  /** A routine CT of centre A: routed to the default reading hospital, city-hospital. */
  private static String orm(String n, String sender, String pid3, String orc1, String placer) {
    return String.join("\r",
        "MSH|^~\\&|" + sender + "|RADBRIDGE|NETWORK|20261207091200||ORM^O01|O" + orc1 + n + "|P|2.5.1",
        "PID|1||" + pid3 + "||Zhao^Lei||19700101|M",
        "ORC|" + orc1 + "|" + placer + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|" + placer + "||CT-HEAD-P^CT brain plain^L||||||||||||||A" + n);
  }

  private static String oru(String n, String sender, String text) {
    return String.join("\r",
        "MSH|^~\\&|" + sender + "|RADBRIDGE|NETWORK|20261207100500||ORU^R01|R" + sender.replace('|', '-') + n
            + "|P|2.5.1",
        "PID|1||M" + n + "^^^CENTRE_A_MRN||Zhao^Lei",
        "OBR|1|PL-" + n + "||30799-1^CT Head WO contrast^LN|||20261207094011|||||||||||A" + n
            + "||||20261207100500|||F|||||||R0007&Chen&Mei",
        "OBX|1|TX|REPORT^Report||" + text + "||||||F",
        "OBX|2|NM|8480-6^Systolic^LN||120|mm[Hg]|||||F");
  }

  private JsonPath search(String type, String param, String value) {
    return json().queryParam(param, value).get("/" + type).then().statusCode(200).extract().jsonPath();
  }

  private static String err(Message ack) throws Exception {
    return new Terser(ack).get("/ERR-8") + " " + ack.encode();
  }

  @Test
  void aReportFromAHospitalTheOrderIsNotRoutedToIsQuarantinedAndTheReadersReportAttaches() throws Exception {
    String n = V2Fixtures.suffix();
    assertThat(MllpClient.msa1(send(orm(n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "NW", "PL-" + n))))
        .isEqualTo("AA");
    JsonPath order = search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-a/accession|A" + n);
    String orderId = order.getString("entry[0].resource.id");
    assertThat(order.getList("entry[0].resource.performer.reference")).contains("Organization/org-city-hospital");
    String taskVersion = json().get("/Task/order-" + orderId).then().statusCode(200).extract().path("meta.versionId");

    Message ack = send(oru(n, "RIS_NORTH|NORTH_HOSP", "Report from the wrong hospital"));
    Terser t = new Terser(ack);
    assertThat(t.get("/MSA-1")).as(ack.encode()).isEqualTo("AE");
    assertThat(t.get("/ERR-3-1")).isEqualTo("207");
    assertThat(t.get("/ERR-2-1")).isEqualTo("OBR");
    assertThat(t.get("/ERR-2-3")).isEqualTo("18");
    assertThat(err(ack)).contains("not routed to north-hospital").contains("city-hospital").contains("quarantine");

    // the order has no report, its Task did not move
    assertThat(search("DiagnosticReport", "based-on", "ServiceRequest/" + orderId).getList("entry")).isNull();
    json().get("/Task/order-" + orderId).then().statusCode(200)
        .body("meta.versionId", org.hamcrest.Matchers.equalTo(taskVersion));
    // the report is kept, tagged, naming the order by its accession number only
    JsonPath kept = json().queryParam("_tag", QUARANTINED)
        .queryParam("identifier", "https://radbridge.org/fhir/sid/north-hospital/report|A" + n)
        .get("/DiagnosticReport").then().statusCode(200).extract().jsonPath();
    assertThat(kept.getList("entry")).hasSize(1);
    String reportId = kept.getString("entry[0].resource.id");
    assertThat(kept.getList("entry[0].resource.basedOn")).isNull();
    assertThat(kept.getString("entry[0].resource.conclusion")).isEqualTo("Report from the wrong hospital");
    assertThat(kept.getList("entry[0].resource.identifier.value")).contains("A" + n);
    assertThat(kept.getString("entry[0].resource.subject.identifier.value")).isEqualTo("M" + n);
    assertThat(kept.getList("entry[0].resource.result")).hasSize(1);
    String obs = kept.getString("entry[0].resource.result[0].reference");
    json().get("/" + obs).then().statusCode(200).body("meta.tag.code", org.hamcrest.Matchers.hasItem("quarantined"))
        .body("basedOn", org.hamcrest.Matchers.nullValue());
    // the sending hospital reads it; the centre does not
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "north-hospital"))
        .get("/DiagnosticReport/" + reportId).then().statusCode(200);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-a"))
        .get("/DiagnosticReport/" + reportId).then().statusCode(404);
    RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-a")).get("/" + obs).then()
        .statusCode(404);
    assertThat(RestAssured.given().header("Authorization", TestTokens.orgReader(port, "centre-a"))
        .queryParam("_tag", QUARANTINED).queryParam("identifier", "https://radbridge.org/fhir/sid/north-hospital/report|A" + n)
        .get("/DiagnosticReport").then().statusCode(200).extract().jsonPath().getList("entry")).isNull();

    // the hospital the order is routed to: attached as before
    Message fromReader = send(oru(n, "RIS_CITY|CITY_HOSP", "Report from the reading hospital"));
    assertThat(MllpClient.msa1(fromReader)).as(fromReader.encode()).isEqualTo("AA");
    JsonPath attached = search("DiagnosticReport", "based-on", "ServiceRequest/" + orderId);
    assertThat(attached.getList("entry")).hasSize(1);
    assertThat(attached.getString("entry[0].resource.conclusion")).isEqualTo("Report from the reading hospital");
    assertThat(String.valueOf(attached.getList("entry[0].resource.meta.tag.code"))).doesNotContain("quarantined");
    // the quarantined one stays as it was
    json().get("/DiagnosticReport/" + reportId).then().statusCode(200)
        .body("meta.versionId", org.hamcrest.Matchers.equalTo("1"));
  }

  @Test
  void anOrderReRoutedMidReadQuarantinesTheFormerReadersReport() throws Exception {
    String n = V2Fixtures.suffix();
    assertThat(MllpClient.msa1(send(orm(n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "NW", "PL-" + n))))
        .isEqualTo("AA");
    String orderId = search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-a/accession|A" + n)
        .getString("entry[0].resource.id");
    // the administrator moves the order from city-hospital to north-hospital
    String order = json().get("/ServiceRequest/" + orderId).asString();
    assertThat(order).contains("Organization/org-city-hospital");
    json().body(order.replace("Organization/org-city-hospital", "Organization/org-north-hospital"))
        .put("/ServiceRequest/" + orderId).then().statusCode(200);
    assertThat(json().get("/ServiceRequest/" + orderId).jsonPath().getList("performer.reference"))
        .contains("Organization/org-north-hospital").doesNotContain("Organization/org-city-hospital");

    Message late = send(oru(n, "RIS_CITY|CITY_HOSP", "Read before the order moved"));
    assertThat(MllpClient.msa1(late)).as(late.encode()).isEqualTo("AE");
    assertThat(err(late)).contains("not routed to city-hospital").contains("north-hospital");
    assertThat(search("DiagnosticReport", "based-on", "ServiceRequest/" + orderId).getList("entry")).isNull();
    assertThat(json().queryParam("_tag", QUARANTINED)
        .queryParam("identifier", "https://radbridge.org/fhir/sid/city-hospital/report|A" + n).get("/DiagnosticReport")
        .then().statusCode(200).extract().jsonPath().getList("entry")).hasSize(1);

    Message current = send(oru(n, "RIS_NORTH|NORTH_HOSP", "Read by the new reader"));
    assertThat(MllpClient.msa1(current)).as(current.encode()).isEqualTo("AA");
    assertThat(search("DiagnosticReport", "based-on", "ServiceRequest/" + orderId).getList("entry.resource.conclusion"))
        .containsExactly("Read by the new reader");
  }

  @Test
  void anOrderForAnotherCentresPatientIsRefusedAndNothingIsWritten() throws Exception {
    String n = V2Fixtures.suffix();
    // centre B's HIS names a patient by centre A's MRN
    Message ack = send(orm(n, "HIS_B|CENTRE_B", "M" + n + "^^^CENTRE_A_MRN", "NW", "PL-" + n));
    Terser t = new Terser(ack);
    assertThat(t.get("/MSA-1")).as(ack.encode()).isEqualTo("AE");
    assertThat(t.get("/ERR-3-1")).isEqualTo("207");
    assertThat(t.get("/ERR-2-1")).isEqualTo("PID");
    assertThat(t.get("/ERR-2-3")).isEqualTo("3");
    assertThat(err(ack)).contains("patient identifier of centre-a").contains("not of centre-b")
        .contains("nothing was stored");
    assertThat(search("Patient", "identifier", "https://radbridge.org/fhir/sid/centre-a/mrn|M" + n).getList("entry"))
        .isNull();
    assertThat(search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-b/accession|A" + n)
        .getList("entry")).isNull();
    assertThat(count("select count(*) from hl7_message where control_id = ?", "ONW" + n)).isZero();

    // its own patient: an order as before
    assertThat(MllpClient.msa1(send(orm(n, "HIS_B|CENTRE_B", "B" + n, "NW", "PL-" + n)))).isEqualTo("AA");
    assertThat(search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-b/accession|A" + n)
        .getList("entry")).hasSize(1);
  }

  @Test
  void aFollowUpForAnotherCentresOrderIsRefusedAndNothingIsWritten() throws Exception {
    String n = V2Fixtures.suffix();
    assertThat(MllpClient.msa1(send(orm(n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "NW", "PL-" + n + "^HIS_A"))))
        .isEqualTo("AA");
    JsonPath before = search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-a/accession|A" + n);
    String version = before.getString("entry[0].resource.meta.versionId");
    String status = before.getString("entry[0].resource.status");

    // centre B's HIS cancels centre A's order (its placer number, in HIS_A's namespace), for a patient of its own
    for (String control : new String[] {"CA", "XO"}) {
      Message ack = send(orm(n, "HIS_B|CENTRE_B", "B" + n, control, "PL-" + n + "^HIS_A"));
      Terser t = new Terser(ack);
      assertThat(t.get("/MSA-1")).as(ack.encode()).isEqualTo("AE");
      assertThat(t.get("/ERR-3-1")).isEqualTo("207");
      assertThat(t.get("/ERR-2-1")).isEqualTo("ORC");
      assertThat(t.get("/ERR-2-3")).isEqualTo("2");
      assertThat(err(ack)).contains("an order of centre-a").contains("not the sender's to change");
      assertThat(count("select count(*) from hl7_message where control_id = ?", "O" + control + n)).isZero();
    }
    JsonPath after = search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-a/accession|A" + n);
    assertThat(after.getString("entry[0].resource.meta.versionId")).isEqualTo(version);
    assertThat(after.getString("entry[0].resource.status")).isEqualTo(status);
    assertThat(search("Patient", "identifier", "https://radbridge.org/fhir/sid/centre-b/mrn|B" + n).getList("entry"))
        .isNull();
    assertThat(search("ServiceRequest", "identifier", "https://radbridge.org/fhir/sid/centre-b/placer|PL-" + n)
        .getList("entry")).isNull();
  }

  private static String a08(String control, String sender, String pid3, String name) {
    return String.join("\r",
        "MSH|^~\\&|" + sender + "|RADBRIDGE|NETWORK|20261207110000||ADT^A08^ADT_A01|" + control + "|P|2.5.1",
        "EVN|A08|20261207110000", "PID|1||" + pid3 + "||" + name + "||19700101|M");
  }

  private static String a40(String control, String sender, String survivor, String merged) {
    return String.join("\r",
        "MSH|^~\\&|" + sender + "|RADBRIDGE|NETWORK|20261207113000||ADT^A40^ADT_A39|" + control + "|P|2.5.1",
        "EVN|A40|20261207113000", "PID|1||" + survivor + "||Zhao^Lei||19700101|M", "MRG|" + merged);
  }

  private JsonPath patient(String system, String value) {
    JsonPath found = search("Patient", "identifier", "https://radbridge.org/fhir/sid/" + system + "|" + value);
    assertThat(found.getList("entry")).as(system + "|" + value).hasSize(1);
    return JsonPath.from(found.prettify()).setRootPath("entry[0].resource");
  }

  @Test
  void aPatientUpdateForAnotherCentresPatientIsRefusedAndTheCentresOwnIsNot() throws Exception {
    String n = V2Fixtures.suffix();
    assertThat(MllpClient.msa1(send(a08("UA" + n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "Zhao^Lei"))))
        .isEqualTo("AA");
    String version = patient("centre-a/mrn", "M" + n).getString("meta.versionId");

    // centre B's HIS renames centre A's patient
    Message ack = send(a08("UB" + n, "HIS_B|CENTRE_B", "M" + n + "^^^CENTRE_A_MRN", "Qian^Wei"));
    Terser t = new Terser(ack);
    assertThat(t.get("/MSA-1")).as(ack.encode()).isEqualTo("AE");
    assertThat(t.get("/ERR-3-1")).isEqualTo("207");
    assertThat(t.get("/ERR-2-1")).isEqualTo("PID");
    assertThat(t.get("/ERR-2-3")).isEqualTo("3");
    assertThat(err(ack)).contains("PID-3 M" + n + " is a patient identifier of centre-a").contains("not of centre-b")
        .contains("nothing was stored");
    JsonPath unchanged = patient("centre-a/mrn", "M" + n);
    assertThat(unchanged.getString("meta.versionId")).isEqualTo(version);
    assertThat(unchanged.getString("name[0].family")).isEqualTo("Zhao");
    assertThat(count("select count(*) from hl7_message where control_id = ?", "UB" + n)).isZero();

    // centre A's own update: a new version as always
    assertThat(MllpClient.msa1(send(a08("UC" + n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "Sun^Li"))))
        .isEqualTo("AA");
    JsonPath updated = patient("centre-a/mrn", "M" + n);
    assertThat(updated.getString("name[0].family")).isEqualTo("Sun");
    assertThat(updated.getString("meta.versionId")).isNotEqualTo(version);
  }

  @Test
  void aMergeInvolvingAnotherCentresPatientIsRefusedAndNothingIsMerged() throws Exception {
    String n = V2Fixtures.suffix();
    assertThat(MllpClient.msa1(send(a08("MA" + n, "HIS_A|CENTRE_A", "M" + n + "^^^CENTRE_A_MRN", "Zhao^Lei"))))
        .isEqualTo("AA");
    assertThat(MllpClient.msa1(send(a08("MB" + n, "HIS_B|CENTRE_B", "B" + n, "Zhao^Lei")))).isEqualTo("AA");
    String versionA = patient("centre-a/mrn", "M" + n).getString("meta.versionId");
    String versionB = patient("centre-b/mrn", "B" + n).getString("meta.versionId");

    // centre B merges centre A's patient into its own, then its own into centre A's
    Message merged = send(a40("MC" + n, "HIS_B|CENTRE_B", "B" + n, "M" + n + "^^^CENTRE_A_MRN"));
    Terser t = new Terser(merged);
    assertThat(t.get("/MSA-1")).as(merged.encode()).isEqualTo("AE");
    assertThat(t.get("/ERR-3-1")).isEqualTo("207");
    assertThat(t.get("/ERR-2-1")).isEqualTo("MRG");
    assertThat(t.get("/ERR-2-3")).isEqualTo("1");
    assertThat(err(merged)).contains("MRG-1 M" + n + " is a patient identifier of centre-a").contains("not of centre-b");
    Message survivor = send(a40("MD" + n, "HIS_B|CENTRE_B", "M" + n + "^^^CENTRE_A_MRN", "B" + n));
    t = new Terser(survivor);
    assertThat(t.get("/MSA-1")).as(survivor.encode()).isEqualTo("AE");
    assertThat(t.get("/ERR-3-1")).isEqualTo("207");
    assertThat(t.get("/ERR-2-1")).isEqualTo("PID");
    assertThat(t.get("/ERR-2-3")).isEqualTo("3");

    for (String[] p : new String[][] {{"centre-a/mrn", "M" + n, versionA}, {"centre-b/mrn", "B" + n, versionB}}) {
      JsonPath after = patient(p[0], p[1]);
      assertThat(after.getString("meta.versionId")).as(p[1]).isEqualTo(p[2]);
      assertThat(after.getList("link")).as(p[1]).isNull();
      assertThat(after.getString("active")).as(p[1]).isNotEqualTo("false");
    }
    assertThat(count("select count(*) from hl7_message where control_id in (?, ?)", "MC" + n, "MD" + n)).isZero();
  }
}
