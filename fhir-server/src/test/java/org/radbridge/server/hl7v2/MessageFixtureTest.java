package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.path.json.JsonPath;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The realistic fixtures (several senders' styles) over real MLLP: the resources they become, field
 * by field, and the messages RadBridge sends on to the test network's receiving systems.
 */
class MessageFixtureTest extends ServerTestBase {
  private static final String SID = "https://radbridge.org/fhir/sid/";
  private static final Charset GB18030 = Charset.forName("GB18030");

  @Autowired
  MllpListener listener;
  private HapiContext hapi;
  private Connection connection;

  @BeforeEach
  void connect() throws Exception {
    awaitConformanceReady();
    hapi = new DefaultHapiContext();
    hapi.setExecutorService(java.util.concurrent.Executors.newCachedThreadPool());
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.setLowerLayerProtocol(new MinLowerLayerProtocol(true));
    hapi.getParserConfiguration().setValidating(false);
    connection = hapi.newClient("127.0.0.1", listener.port(), false);
  }

  @AfterEach
  void close() throws Exception {
    connection.close();
    hapi.close();
  }

  private Message send(String text) throws Exception {
    return connection.getInitiator().sendAndReceive(hapi.getPipeParser().parse(text));
  }

  private Message fixture(String name, Map<String, String> fresh) throws Exception {
    return send(V2Fixtures.with(V2Fixtures.text(name, StandardCharsets.UTF_8), fresh));
  }

  private static void assertAa(Message ack) throws Exception {
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");
  }

  private static String get(Message m, String path) throws Exception {
    return new Terser(m).get(path);
  }

  private Terser parsed(String text) throws Exception {
    return new Terser(hapi.getPipeParser().parse(text));
  }

  private JsonPath order(String accession) {
    JsonPath b = json().queryParam("identifier", SID + "centre-a/accession|" + accession).get("/ServiceRequest")
        .then().statusCode(200).extract().jsonPath();
    assertThat(b.getList("entry")).as("one order with accession " + accession).hasSize(1);
    return new JsonPath(b.prettify()).setRootPath("entry[0].resource");
  }

  /** The study the modality sent for the order (the report profile wants one). */
  private String study(String orderId, String subject) {
    return json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(subject, orderId))
        .post("/ImagingStudy").then().statusCode(201).extract().path("id");
  }

  @Test
  void anImagingOrderIsChangedHeldAndCancelledAndTheReadingHospitalHearsEachStepInOrder() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = V2Fixtures.freshOrder(s);
    Message ack = fixture("omi-o23-pacsoms-utf8.hl7", fresh);
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");

    JsonPath sr = order("A" + s);
    assertThat(sr.getString("status")).isEqualTo("active");
    assertThat(sr.getString("intent")).isEqualTo("order");
    assertThat(sr.getString("priority")).isEqualTo("stat"); // TQ1-9 S
    assertThat(sr.getString("identifier.find { it.system == '" + SID + "centre-a/placer' }.value")).isEqualTo("PL-A" + s);
    assertThat(sr.getString("identifier.find { it.system == 'urn:dicom:uid' }.value"))
        .isEqualTo("urn:oid:1.2.826.0.1.3680043.10.511." + s); // IPC-3
    assertThat(sr.getString("identifier.find { it.system == '" + SID + "requested-procedure-id' }.value"))
        .isEqualTo("RP-A" + s);
    assertThat(sr.getString("identifier.find { it.system == '" + SID + "sps-id' }.value")).isEqualTo("SPS-A" + s + "-1");
    assertThat(sr.getString("performerType.coding[0].code")).isEqualTo("CT"); // IPC-5
    assertThat(sr.getList("code.coding.code")).containsExactly("CT-HEAD-P", "30799-1"); // ConceptMap his-centre-a
    assertThat(sr.getString("occurrenceDateTime")).startsWith("2026-12-04T09:30:00"); // TQ1-7
    assertThat(sr.getString("reasonCode[0].text")).isEqualTo("Sudden severe headache^vomiting"); // \S\ unescaped
    assertThat(sr.getString("requester.display")).isEqualTo("Li Wang");
    assertThat(sr.getString("requester.identifier.value")).isEqualTo("D0042");
    assertThat(sr.getString("performer.find { it.reference.startsWith('Organization') }.reference"))
        .isEqualTo("Organization/org-north-hospital"); // stat → the north hospital (routing rule)
    String orderId = sr.getString("id");
    // PID-3 repeats (national ID, then MR): the MR repetition identifies the patient
    json().get("/" + sr.getString("subject.reference")).then().statusCode(200)
        .body("identifier[0].system", equalTo(SID + "centre-a/mrn")).body("identifier[0].value", equalTo("M" + s))
        .body("name[0].family", equalTo("王")).body("name[0].given[0]", equalTo("秀英"))
        .body("birthDate", equalTo("1961-04-17")).body("gender", equalTo("female"));

    assertAa(fixture("orm-o01-his-a-change.hl7", fresh));
    sr = order("A" + s);
    assertThat(sr.getString("id")).isEqualTo(orderId);
    assertThat(sr.getString("priority")).isEqualTo("routine"); // ORC-7.6 R
    assertThat(sr.getString("identifier.find { it.system == 'urn:dicom:uid' }.value"))
        .as("the Study UID stays with the order").isEqualTo("urn:oid:1.2.826.0.1.3680043.10.511." + s);
    assertAa(fixture("orm-o01-his-a-hold.hl7", fresh));
    assertThat(order("A" + s).getString("status")).isEqualTo("on-hold");
    json().get("/Task/order-" + orderId).then().body("status", equalTo("on-hold"));
    assertAa(fixture("orm-o01-his-a-cancel.hl7", fresh));
    assertThat(order("A" + s).getString("status")).isEqualTo("revoked");
    json().get("/Task/order-" + orderId).then().body("status", equalTo("cancelled"));

    // the north hospital's RIS got NW, XO, HD, CA for this order, in that order
    List<String> sent = receivers().hospitalRis().await("|A" + s, 4);
    assertThat(sent).hasSize(4);
    List<String> controls = new java.util.ArrayList<>();
    for (String m : sent) {
      controls.add(parsed(m).get("/ORDER/ORC-1"));
    }
    assertThat(controls).containsExactly("NW", "XO", "HD", "CA");
    Terser nw = parsed(sent.get(0));
    assertThat(nw.get("/MSH-3")).isEqualTo("RADBRIDGE");
    assertThat(nw.get("/MSH-5")).isEqualTo("RIS_NORTH");
    assertThat(nw.get("/MSH-6")).isEqualTo("NORTH_HOSP");
    assertThat(nw.get("/MSH-9-1") + "^" + nw.get("/MSH-9-2")).isEqualTo("ORM^O01");
    assertThat(nw.get("/MSH-18")).isEqualTo("UNICODE UTF-8");
    assertThat(nw.get("/PATIENT/PID-3-1")).isEqualTo("M" + s);
    assertThat(nw.get("/PATIENT/PID-3-4")).isEqualTo("CENTRE_A_MRN");
    assertThat(nw.get("/PATIENT/PID-5-1")).isEqualTo("王");
    assertThat(nw.get("/PATIENT/PID-7")).isEqualTo("19610417");
    assertThat(nw.get("/ORDER/ORC-2-1")).isEqualTo("PL-A" + s);
    assertThat(nw.get("/ORDER/ORC-2-2")).isEqualTo("HIS_A");
    assertThat(nw.get("/ORDER/ORC-7-6")).isEqualTo("S");
    assertThat(nw.get("/ORDER/ORDER_DETAIL/OBR-18")).isEqualTo("A" + s);
    assertThat(nw.get("/ORDER/ORDER_DETAIL/OBR-4-1")).isEqualTo("30799-1");
    assertThat(nw.get("/ORDER/ORDER_DETAIL/OBR-4-3")).isEqualTo("LN");
    assertThat(nw.get("/ORDER/ORDER_DETAIL/OBR-4-4")).isEqualTo("CT-HEAD-P");
    assertThat(nw.get("/ORDER/ORDER_DETAIL/OBR-31-2")).isEqualTo("Sudden severe headache^vomiting");
    assertThat(sent.get(0)).contains("Sudden severe headache\\S\\vomiting"); // escaped on the wire
    assertThat(parsed(sent.get(1)).get("/ORDER/ORC-7-6")).isEqualTo("R");
  }

  @Test
  void aDiscontinuedOrderIsRevokedAndWithdrawnFromTheHospital() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = V2Fixtures.freshOrder(s);
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", fresh));
    assertAa(fixture("orm-o01-his-a-discontinue.hl7", fresh));
    assertThat(order("A" + s).getString("status")).isEqualTo("revoked");
    List<String> sent = receivers().hospitalRis().await("|A" + s, 2);
    assertThat(parsed(sent.get(1)).get("/ORDER/ORC-1")).isEqualTo("CA");
  }

  @Test
  void aGb18030OrderIsDecodedPerMsh18() throws Exception {
    String s = V2Fixtures.suffix();
    String text = V2Fixtures.with(V2Fixtures.text("orm-o01-his-b-gb18030.hl7", GB18030),
        Map.of("B731", "B" + s, "B-ORD-731", "BO" + s, "|B-000731|", "|B" + s + "|"));
    // the bytes on the wire are GB18030, as the fixture is
    String answer = TestMllpReceiver.sendRaw(listener.port(), text.getBytes(GB18030));
    assertThat(answer).contains("MSA|AA");
    JsonPath sr = new JsonPath(json().queryParam("identifier", SID + "centre-b/accession|B" + s).get("/ServiceRequest")
        .then().statusCode(200).extract().asString()).setRootPath("entry[0].resource");
    assertThat(sr.getString("code.coding.find { it.system == 'http://loinc.org' }.code")).isEqualTo("24532-4");
    assertThat(sr.getString("code.coding.find { it.code == 'US-ABD' }.display")).isEqualTo("腹部超声");
    assertThat(sr.getString("reasonCode[0].text")).isEqualTo("右上腹痛");
    assertThat(sr.getString("requester.display")).contains("赵");
    assertThat(sr.getString("identifier.find { it.system == '" + SID + "centre-b/placer' }.value")).isEqualTo("BO" + s);
    json().get("/" + sr.getString("subject.reference")).then().body("name[0].family", equalTo("欧阳"))
        .body("name[0].given[0]", equalTo("娜娜")).body("identifier[0].value", equalTo("B" + s));
  }

  @Test
  void anImpossibleBirthDateIsAeNamingPid7AndWritesNothing() throws Exception {
    String s = V2Fixtures.suffix();
    String text = V2Fixtures.with(V2Fixtures.text("orm-o01-impossible-birth-date.hl7", StandardCharsets.UTF_8),
        Map.of("A88009", "A" + s, "A2026-9001", "M" + s, "|HISA-77130|", "|HISB" + s + "|"));
    String answer = TestMllpReceiver.sendRaw(listener.port(), text.getBytes(StandardCharsets.UTF_8));
    assertThat(answer).contains("MSA|AE").contains("ERR||PID^1^7|102^").contains("PID-7").contains("19751345");
    json().queryParam("identifier", SID + "centre-a/accession|A" + s).get("/ServiceRequest").then()
        .body("entry", org.hamcrest.Matchers.nullValue());
    json().queryParam("identifier", SID + "centre-a/mrn|M" + s).get("/Patient").then()
        .body("entry", org.hamcrest.Matchers.nullValue());
  }

  @Test
  void aFinalThenCorrectedReportBecomesOneDiagnosticReportAndTheCentreGetsEachVersion() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = V2Fixtures.freshOrder(s);
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", fresh));
    String orderId = order("A" + s).getString("id");
    String subject = order("A" + s).getString("subject.reference");
    String study = study(orderId, subject);
    // the OMI is stat, routed to north-hospital: its RIS reports it (another hospital's report is quarantined)
    fresh.put("|RIS_CITY|CITY_HOSP|", "|RIS_NORTH|NORTH_HOSP|");

    Message ack = fixture("oru-r01-ris-city-final.hl7", fresh);
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");
    JsonPath bundle = json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").jsonPath();
    assertThat(bundle.getList("entry")).hasSize(1);
    JsonPath dr = new JsonPath(bundle.prettify()).setRootPath("entry[0].resource");
    String reportId = dr.getString("id");
    assertThat(dr.getString("status")).isEqualTo("final");
    assertThat(dr.getString("subject.reference")).isEqualTo(subject);
    assertThat(dr.getString("conclusion")).isEqualTo(String.join("\n",
        "Technique: axial 5 mm, no contrast.",
        "Findings: no intracranial haemorrhage & no mass effect.",
        "Ventricles normal in size|configuration.",
        "Impression: normal CT head (see \\ note)."));
    assertThat(dr.getString("resultsInterpreter[0].display")).contains("陈");
    assertThat(dr.getString("effectiveDateTime")).startsWith("2026-12-04T09:35:12");
    assertThat(dr.getString("issued")).isNotNull();
    assertThat(dr.getList("code.coding.code")).contains("CT-HEAD-P");
    assertThat(dr.getString("imagingStudy[0].reference")).isEqualTo("ImagingStudy/" + study);
    // the coded OBX (CWE) is an Observation the report points to
    String obsRef = dr.getString("result[0].reference");
    assertThat(obsRef).startsWith("Observation/");
    json().get("/" + obsRef).then().statusCode(200).body("status", equalTo("final"))
        .body("code.coding[0].system", equalTo("http://loinc.org")).body("code.coding[0].code", equalTo("59776-5"))
        .body("valueCodeableConcept.coding[0].system", equalTo("http://radlex.org"))
        .body("valueCodeableConcept.coding[0].code", equalTo("RID3874"))
        .body("subject.reference", equalTo(subject)).body("basedOn[0].reference", equalTo("ServiceRequest/" + orderId));
    json().get("/Task/order-" + orderId).then().body("businessStatus.text", equalTo("final report"));

    String corrected = V2Fixtures.with(V2Fixtures.text("oru-r01-ris-city-final.hl7", StandardCharsets.UTF_8), fresh)
        .replace("|RIS" + s + "-55101|", "|RIS" + s + "-55102|")
        .replace("|||F|||||||R0007", "|||C|||||||R0007")
        .replace("Impression: normal CT head", "Impression: small old lacunar infarct");
    assertAa(send(corrected));
    json().get("/DiagnosticReport/" + reportId).then().body("status", equalTo("corrected"))
        .body("meta.versionId", equalTo("2"))
        .body("conclusion", org.hamcrest.Matchers.endsWith("Impression: small old lacunar infarct (see \\ note)."));
    json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").then()
        .body("entry.size()", equalTo(1));

    // HIS_A (the ordering centre) got the final and then the corrected report
    List<String> reports = receivers().centreHis().await(m -> m.contains("ORU^R01") && m.contains("|A" + s + "|"), 2);
    assertThat(reports).hasSize(2);
    Terser fin = parsed(reports.get(0));
    assertThat(fin.get("/MSH-5")).isEqualTo("HIS_A");
    assertThat(fin.get("/PATIENT_RESULT/PATIENT/PID-3-1")).isEqualTo("M" + s);
    assertThat(fin.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-25")).isEqualTo("F");
    assertThat(fin.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-18")).isEqualTo("A" + s);
    assertThat(fin.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-2-1")).isEqualTo("PL-A" + s);
    assertThat(fin.get("/PATIENT_RESULT/ORDER_OBSERVATION/ORC-1")).isEqualTo("RE");
    assertThat(fin.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION(1)/OBX-5"))
        .isEqualTo("Findings: no intracranial haemorrhage & no mass effect.");
    assertThat(reports.get(0)).contains("no intracranial haemorrhage \\T\\ no mass effect.");
    assertThat(parsed(reports.get(1)).get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-25")).isEqualTo("C");
    assertThat(reports.get(1)).contains("small old lacunar infarct");
  }

  @Test
  void aReportWithoutAccessionNumberIsLinkedByItsPlacerNumber() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = V2Fixtures.freshOrder(s);
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", fresh));
    String orderId = order("A" + s).getString("id");
    study(orderId, order("A" + s).getString("subject.reference"));
    // the OMI is stat, routed to north-hospital: its RIS reports it (another hospital's report is quarantined)
    fresh.put("|RIS_CITY|CITY_HOSP|", "|RIS_NORTH|NORTH_HOSP|");
    String noAccession = V2Fixtures.with(V2Fixtures.text("oru-r01-ris-city-final.hl7", StandardCharsets.UTF_8), fresh)
        .replace("|||||||||||A" + s + "||||", "|||||||||||||||");
    assertThat(noAccession).doesNotContain("|A" + s + "|");
    Message ack = send(noAccession);
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");
    json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").then()
        .body("entry.size()", equalTo(1)).body("entry[0].resource.status", equalTo("final"));

    Message unknown = send(noAccession.replace("PL-A" + s, "PL-NOPE" + s).replace("|RIS" + s + "-", "|RISX" + s + "-"));
    assertThat(get(unknown, "/MSA-1")).isEqualTo("AE");
    assertThat(unknown.encode()).contains("OBR-2 placer number PL-NOPE" + s + " matches no order");
  }

  @Test
  void aMergeMovesOrdersToTheSurvivorAndRetiresThePriorPatient() throws Exception {
    String s = V2Fixtures.suffix();
    String s2 = s + "1";
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", V2Fixtures.freshOrder(s)));
    Map<String, String> priorOrder = new java.util.LinkedHashMap<>(V2Fixtures.freshOrder(s2));
    priorOrder.put("A2026-0417", "N" + s); // the same person registered twice: the prior MRN
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", priorOrder));
    String survivor = order("A" + s).getString("subject.reference");
    String prior = order("A" + s2).getString("subject.reference");
    assertThat(prior).isNotEqualTo(survivor);
    String movedOrder = order("A" + s2).getString("id");

    Message ack = fixture("adt-a40-his-a-merge.hl7", V2Fixtures.freshOrder(s));
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");
    json().get("/" + prior).then().body("active", equalTo(false))
        .body("link[0].type", equalTo("replaced-by")).body("link[0].other.reference", equalTo(survivor));
    json().get("/" + survivor).then().body("link[0].type", equalTo("replaces"))
        .body("link[0].other.reference", equalTo(prior));
    assertThat(order("A" + s2).getString("subject.reference")).isEqualTo(survivor);
    // history keeps the version that pointed to the prior patient
    json().get("/ServiceRequest/" + movedOrder + "/_history").then()
        .body("entry.resource.subject.reference", org.hamcrest.Matchers.hasItems(survivor, prior));
    // a later order for the prior MRN lands on the survivor
    Map<String, String> later = new java.util.LinkedHashMap<>(V2Fixtures.freshOrder(s + "2"));
    later.put("A2026-0417", "N" + s);
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", later));
    assertThat(order("A" + s + "2").getString("subject.reference")).isEqualTo(survivor);
  }

  @Test
  void aNegativeAckIsRecordedAndTheMessageRetriedUntilAccepted() throws Exception {
    String s = V2Fixtures.suffix();
    receivers().hospitalRis().refuseNext("|A" + s, 2);
    assertAa(fixture("omi-o23-pacsoms-utf8.hl7", V2Fixtures.freshOrder(s)));
    List<String> attempts = receivers().hospitalRis().await("|A" + s, 3);
    assertThat(attempts).hasSize(3);
    // the same message each time: same control id
    assertThat(attempts.stream().map(m -> m.split("\\|")[9]).distinct()).hasSize(1);
    long deadline = System.currentTimeMillis() + 10_000;
    Map<String, Object> row = null;
    while (System.currentTimeMillis() < deadline) {
      row = jdbc.queryForMap("SELECT state, attempts, last_error FROM outbox WHERE kind = 'hl7v2-mllp' AND payload LIKE ?",
          "%|A" + s + "|%");
      if ("delivered".equals(row.get("state"))) {
        break;
      }
      Thread.sleep(25);
    }
    assertThat(row).containsEntry("state", "delivered").containsEntry("attempts", 3);
    assertThat((String) row.get("last_error")).contains("negative ACK AE");
  }
}
