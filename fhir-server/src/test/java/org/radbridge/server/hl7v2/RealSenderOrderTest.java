package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.path.json.JsonPath;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.dicom.DicomListener;
import org.radbridge.server.dicom.TestDicomFiles;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Orders and reports as real senders write them, over real MLLP: a community HIS that places orders
 * without an accession number or an ordering provider, an IHE OMI sender with the accession in IPC-1
 * only, a local code no ConceptMap knows yet, a preliminary report before any study. None is
 * refused; the hub completes what it can (the accession number) and flags what it cannot.
 */
class RealSenderOrderTest extends ServerTestBase {
  private static final String SID = "https://radbridge.org/fhir/sid/";
  private static final Charset GB18030 = Charset.forName("GB18030");

  @Autowired
  MllpListener listener;
  @Autowired
  DicomListener dicom;
  @TempDir
  Path tmp;
  private MllpClient client;

  @BeforeEach
  void connect() throws Exception {
    awaitConformanceReady();
    client = new MllpClient(listener.port());
  }

  @AfterEach
  void close() throws Exception {
    client.close();
  }

  private Message fixture(String name, Map<String, String> fresh) throws Exception {
    return client.send(V2Fixtures.with(V2Fixtures.text(name, StandardCharsets.UTF_8), fresh));
  }

  private static Map<String, String> fresh(String s) {
    Map<String, String> m = new LinkedHashMap<>(V2Fixtures.freshOrder(s));
    m.put("|HISB-", "|HISB" + s + "-");
    m.put("B2026-0417", "B" + s);
    return m;
  }

  private static String get(Message m, String path) throws Exception {
    return new Terser(m).get(path);
  }

  private static void assertAa(Message ack) throws Exception {
    assertThat(get(ack, "/MSA-1")).as(ack.encode()).isEqualTo("AA");
  }

  private List<JsonPath> orders(String system, String value) {
    JsonPath b = json().queryParam("identifier", system + "|" + value).get("/ServiceRequest")
        .then().statusCode(200).extract().jsonPath();
    List<JsonPath> out = new ArrayList<>();
    for (int i = 0; i < b.getList("entry").size(); i++) {
      out.add(new JsonPath(b.prettify()).setRootPath("entry[" + i + "].resource"));
    }
    return out;
  }

  private JsonPath onlyOrder(String system, String value) {
    List<JsonPath> found = orders(system, value);
    assertThat(found).as("exactly one order with " + system + "|" + value).hasSize(1);
    return found.get(0);
  }

  @Test
  void aPlacerOnlyOrderGetsTheHubsAccessionAndItsFollowUpsActOnThatOrder() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = fresh(s);
    Message ack = fixture("orm-o01-his-a-placer-only.hl7", fresh);
    assertAa(ack);
    // the application ACK of an order is ORR^O02; its ORC-3 is the filler number: the accession given
    assertThat(get(ack, "/MSH-9-1") + "^" + get(ack, "/MSH-9-2")).isEqualTo("ORR^O02");
    assertThat(get(ack, "/MSA-2")).isEqualTo("HISA" + s + "-88100");
    assertThat(get(ack, "/RESPONSE/ORDER/ORC-1")).isEqualTo("OK");
    assertThat(get(ack, "/RESPONSE/ORDER/ORC-2-1")).isEqualTo("PL-A" + s);
    String accession = get(ack, "/RESPONSE/ORDER/ORC-3-1");
    assertThat(accession).as(ack.encode()).matches("RB\\d{8,}");
    assertThat(get(ack, "/RESPONSE/ORDER/ORC-3-2")).isEqualTo("RADBRIDGE");

    JsonPath order = onlyOrder(SID + "centre-a/placer", "PL-A" + s);
    String orderId = order.getString("id");
    assertThat(order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.system"))
        .isEqualTo(SID + "centre-a/accession");
    assertThat(order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value")).isEqualTo(accession);
    assertThat(order.getString("requester.reference")).as("no ORC-12: the ordering centre").isEqualTo("Organization/org-centre-a");
    assertThat(order.getList("meta.profile")).contains("https://radbridge.org/fhir/StructureDefinition/rb-service-request");
    assertThat(order.getList("code.coding.code")).containsExactly("CT-HEAD-P", "30799-1");
    assertThat(order.getString("reasonCode[0].text")).isEqualTo("Dizziness & blurred vision");

    // the modality's worklist answers it by that accession number
    DicomRun mwl = dcmtk("findscu", "-v", "-W", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "AccessionNumber=" + accession,
        "-k", "PatientID", "-k", "(0040,0100)[0].Modality", "127.0.0.1", String.valueOf(dicom.port()));
    assertThat(mwl.exit()).as(mwl.output()).isZero();
    assertThat(mwl.output()).contains("[" + accession + "]").contains("[M" + s).contains("[CT]");
    // and the reading hospital's ORM carries it in OBR-18, with the HIS's placer number
    String nw = receivers().hospitalRis().await("|PL-A" + s + "^", 1).get(0);
    Terser sent = new Terser(new ca.uhn.hl7v2.DefaultHapiContext().getPipeParser().parse(nw));
    assertThat(sent.get("/ORDER/ORC-1")).isEqualTo("NW");
    assertThat(sent.get("/ORDER/ORDER_DETAIL/OBR-18")).isEqualTo(accession);

    // XO, the report (placer number only) and CA all act on that one order
    assertAa(fixture("orm-o01-his-a-placer-only-change.hl7", fresh));
    order = onlyOrder(SID + "centre-a/placer", "PL-A" + s);
    assertThat(order.getString("id")).isEqualTo(orderId);
    assertThat(order.getString("priority")).isEqualTo("asap");
    assertThat(order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value")).isEqualTo(accession);

    assertAa(fixture("oru-r01-ris-city-placer-only-prelim.hl7", fresh));
    JsonPath report = json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").jsonPath();
    assertThat(report.getList("entry")).hasSize(1);
    assertThat(report.getString("entry[0].resource.status")).isEqualTo("preliminary");

    Message cancelled = fixture("orm-o01-his-a-placer-only-cancel.hl7", fresh);
    assertAa(cancelled);
    assertThat(get(cancelled, "/RESPONSE/ORDER/ORC-1")).isEqualTo("CR");
    assertThat(get(cancelled, "/RESPONSE/ORDER/ORC-3-1")).isEqualTo(accession);
    order = onlyOrder(SID + "centre-a/placer", "PL-A" + s);
    assertThat(order.getString("id")).isEqualTo(orderId);
    assertThat(order.getString("status")).isEqualTo("revoked");
    assertThat(orders(SID + "centre-a/accession", accession)).hasSize(1);

    // a cancel of an order nobody placed changes nothing and says so
    Message unknown = client.send(V2Fixtures.with(V2Fixtures.text("orm-o01-his-a-placer-only-cancel.hl7", StandardCharsets.UTF_8),
        fresh(V2Fixtures.suffix())));
    assertThat(get(unknown, "/MSA-1")).isEqualTo("AE");
    assertThat(get(unknown, "/ERR-3-1")).isEqualTo("204");
    assertThat(get(unknown, "/ERR-2-1")).isEqualTo("ORC");
  }

  @Test
  void concurrentPlacerOnlyOrdersGetDistinctAccessionsAndOneOrderPerPlacerNumber() throws Exception {
    String s = V2Fixtures.suffix();
    String template = V2Fixtures.text("orm-o01-his-a-placer-only.hl7", StandardCharsets.UTF_8);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        // eight placer numbers, each sent twice at once under different control ids (a sender's resend)
        Map<String, String> fresh = fresh(s + (i % 8));
        fresh.put("|HISA" + s + (i % 8) + "-", "|HISA" + s + i + "-");
        String text = V2Fixtures.with(template, fresh);
        answers.add(pool.submit(() -> TestMllpReceiver.sendRaw(listener.port(), text.getBytes(StandardCharsets.UTF_8))));
      }
      java.util.Set<String> accessions = new java.util.HashSet<>();
      for (int i = 0; i < 8; i++) {
        for (int k : new int[] {i, i + 8}) {
          assertThat(answers.get(k).get()).contains("MSA|AA|");
        }
        JsonPath order = onlyOrder(SID + "centre-a/placer", "PL-A" + s + i);
        accessions.add(order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value"));
        assertThat(answers.get(i).get()).contains("|" + order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value") + "^RADBRIDGE");
      }
      assertThat(accessions).hasSize(8).allMatch(a -> a.matches("RB\\d{8,}"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anOrderThatCannotSatisfyItsProfileIsStoredUnclaimedAndFlaggedNotRefused() throws Exception {
    // a HIS re-sending an order it already completed: the workflow does not take a completed order up,
    // so it gets no accession number and misses the profile; it is kept, as sent, for a person
    String s = V2Fixtures.suffix();
    Message ack = client.send(String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207120000||ORM^O01|HISA" + s + "-CM|P|2.3|||||CHN|UNICODE UTF-8",
        "PID|1||M" + s + "^^^CENTRE_A_MRN^MR||王^秀英||19610417|F",
        "ORC|SC|PL-C" + s + "^HIS_A|||CM",
        "OBR|1|PL-C" + s + "^HIS_A||CT-HEAD-P^CT brain plain^L"));
    assertAa(ack);
    JsonPath order = onlyOrder(SID + "centre-a/placer", "PL-C" + s);
    assertThat(order.getString("status")).isEqualTo("completed");
    assertThat(order.getList("meta.tag.code")).contains("profile-failed");
    assertThat(order.getString("meta.profile")).isNull();
    assertThat(order.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }")).isNull();
    assertThat(json().get("/Task/order-" + order.getString("id")).statusCode()).isEqualTo(404);
    assertThat(json().queryParam("_tag", "https://radbridge.org/fhir/CodeSystem/work-item|profile-failed")
        .queryParam("_id", order.getString("id")).get("/ServiceRequest").jsonPath().getList("entry")).hasSize(1);
  }

  @Test
  void anOmiWithTheAccessionOnlyInIpc1IsFiledUnderIt() throws Exception {
    String s = V2Fixtures.suffix();
    Message ack = fixture("omi-o23-pacsoms-ipc1-only.hl7", fresh(s));
    assertAa(ack);
    assertThat(get(ack, "/MSH-9-1") + "^" + get(ack, "/MSH-9-2")).isEqualTo("ORI^O24");
    assertThat(get(ack, "/RESPONSE/ORDER/ORC-3-1")).isEqualTo("A" + s);
    JsonPath order = onlyOrder(SID + "centre-a/accession", "A" + s);
    assertThat(order.getString("identifier.find { it.system == 'urn:dicom:uid' }.value"))
        .isEqualTo("urn:oid:1.2.826.0.1.3680043.10.511." + s);
    assertThat(order.getString("identifier.find { it.system == '" + SID + "sps-id' }.value")).isEqualTo("SPS-A" + s + "-1");
  }

  @Test
  void aLocalCodeWithoutMappingIsAcceptedFlaggedAndGainsLoincWhenTheMapArrives() throws Exception {
    String s = V2Fixtures.suffix();
    String text = V2Fixtures.with(V2Fixtures.text("orm-o01-his-b-unmapped-gb18030.hl7", GB18030), fresh(s));
    String answer = TestMllpReceiver.sendRaw(listener.port(), text.getBytes(GB18030));
    assertThat(answer).as(answer).contains("MSA|AA|HISB" + s + "-88120");

    JsonPath order = onlyOrder(SID + "centre-b/accession", "A" + s);
    String orderId = order.getString("id");
    assertThat(order.getList("code.coding.system")).containsExactly("https://radbridge.org/fhir/CodeSystem/his-centre-b");
    assertThat(order.getString("code.coding[0].display")).isEqualTo("腹部超声(肝胆胰脾)");
    assertThat(order.getList("meta.tag.code")).contains("unmapped-code");
    assertThat(order.getString("requester.reference")).isEqualTo("Organization/org-centre-b");
    // an operator lists the orders waiting for terminology work
    assertThat(json().queryParam("_tag", "https://radbridge.org/fhir/CodeSystem/work-item|unmapped-code")
        .queryParam("_id", orderId).get("/ServiceRequest").jsonPath().getList("entry.resource.id")).containsExactly(orderId);

    // the centre's map arrives through REST: the waiting order gains its LOINC coding, no resend
    json().body("""
        {"resourceType":"ConceptMap","url":"https://radbridge.org/fhir/ConceptMap/his-centre-b-%1$s","status":"active",
         "sourceUri":"https://radbridge.org/fhir/ValueSet/his-centre-b","targetUri":"http://loinc.org/vs",
         "group":[{"source":"https://radbridge.org/fhir/CodeSystem/his-centre-b","target":"http://loinc.org",
           "element":[{"code":"US-ABD-X","target":[{"code":"24532-4","display":"US Abdomen RUQ","equivalence":"equivalent"}]}]}]}"""
        .formatted(s)).post("/ConceptMap").then().statusCode(201);
    Await.until("the order has its LOINC coding", java.time.Duration.ofSeconds(20), () -> json().get("/ServiceRequest/" + orderId).jsonPath()
        .getList("code.coding.code").contains("24532-4"));
    JsonPath now = new JsonPath(json().get("/ServiceRequest/" + orderId).asString());
    assertThat(now.getList("code.coding.code")).containsExactly("US-ABD-X", "24532-4");
    assertThat(now.getString("meta.tag")).as("the tag is gone").isNull();
    assertThat(now.getString("performerType.coding[0].code")).isEqualTo("US");
  }

  @Test
  void aPreliminaryReportBeforeAnyStudyIsKeptAndLinkedWhenTheStudyArrives() throws Exception {
    String s = V2Fixtures.suffix();
    Map<String, String> fresh = fresh(s);
    Message ack = fixture("orm-o01-his-a-placer-only.hl7", fresh);
    assertAa(ack);
    String accession = get(ack, "/RESPONSE/ORDER/ORC-3-1");
    String orderId = onlyOrder(SID + "centre-a/placer", "PL-A" + s).getString("id");

    assertAa(fixture("oru-r01-ris-city-placer-only-prelim.hl7", fresh));
    JsonPath report = onlyReport(orderId);
    assertThat(report.getString("status")).isEqualTo("preliminary");
    assertThat(report.getList("imagingStudy")).isNullOrEmpty();
    String reportId = report.getString("id");
    json().get("/Task/order-" + orderId).then().body("businessStatus.text", equalTo("preliminary report"));

    // the modality's study, with the accession the hub gave
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession, "(0010,0020)=M" + s);
    String studyUid = TestDicomFiles.tag(ct, "0020,000d");
    DicomRun stored = dcmtk("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom.port()),
        ct.toString());
    assertThat(stored.exit()).as(stored.output()).isZero();
    java.util.concurrent.atomic.AtomicReference<String> found = new java.util.concurrent.atomic.AtomicReference<>();
    Await.until("the study is stored", java.time.Duration.ofSeconds(20), () -> {
      List<String> ids = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
          .jsonPath().getList("entry.resource.id");
      if (ids != null && !ids.isEmpty()) {
        found.set(ids.get(0));
      }
      return found.get() != null;
    });
    String studyId = found.get();
    assertThat(json().get("/ImagingStudy/" + studyId).jsonPath().getString("basedOn[0].reference"))
        .isEqualTo("ServiceRequest/" + orderId);
    Await.until("the report names the study", java.time.Duration.ofSeconds(20), () -> onlyReport(orderId).getList("imagingStudy.reference")
        .contains("ImagingStudy/" + studyId));

    assertAa(fixture("oru-r01-ris-city-placer-only-final.hl7", fresh));
    report = onlyReport(orderId);
    assertThat(report.getString("id")).isEqualTo(reportId);
    assertThat(report.getString("status")).isEqualTo("final");
    assertThat(report.getList("imagingStudy.reference")).containsExactly("ImagingStudy/" + studyId);
    assertThat(report.getString("conclusion")).contains("Normal CT head");
    json().get("/Task/order-" + orderId).then().body("status", equalTo("completed"));
  }

  private JsonPath onlyReport(String orderId) {
    JsonPath b = json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").jsonPath();
    assertThat(b.getList("entry")).hasSize(1);
    return new JsonPath(b.prettify()).setRootPath("entry[0].resource");
  }

  record DicomRun(int exit, String output) {}

  private static DicomRun dcmtk(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new DicomRun(p.waitFor(), out);
  }
}
