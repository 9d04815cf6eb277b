package org.radbridge.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.dicom.DicomListener;
import org.radbridge.server.dicom.TestDicomFiles;
import org.radbridge.server.hl7v2.MllpListener;
import org.radbridge.server.hl7v2.TestMllpReceiver;
import org.radbridge.server.subscription.HookReceiver;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The 30-minute loop end to end through the real interfaces, asserting every hop: the order (HL7 v2
 * ORM from the centre's HIS, or FHIR REST), the modality's worklist (findscu), the study
 * (storescu), routing and forwarding to the hospital PACS (storescp), the hospital RIS told
 * (outbound ORM and an order-created subscription), the report (ORU from the RIS, or FHIR REST), the
 * centre told (report-final subscription and outbound ORU), the worklist emptied, and the order's
 * turnaround timestamps.
 */
class LoopScenarioTest extends ServerTestBase {
  private static final String ACC = "https://radbridge.org/fhir/sid/centre-a/accession";
  private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
  private static final String CITY = "Organization/org-city-hospital";

  @Autowired
  MllpListener mllp;
  @Autowired
  DicomListener dicom;
  @TempDir
  Path tmp;

  @Test
  void anHl7OrderAndAnHl7Report() throws Exception {
    loop(true);
  }

  @Test
  void aFhirOrderAndAFhirReport() throws Exception {
    loop(false);
  }

  private void topic(String topic, String filter, String endpoint) {
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"loop",
         "criteria":"https://radbridge.org/fhir/SubscriptionTopic/%s",
         "_criteria":{"extension":[{"url":"%sbackport-filter-criteria","valueString":"%s"}]},
         "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json",
           "_payload":{"extension":[{"url":"%sbackport-payload-content","valueCode":"id-only"}]}}}"""
        .formatted(topic, BACKPORT, filter, endpoint, BACKPORT)).post("/Subscription").then().statusCode(201);
  }

  private static String run(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }

  private void loop(boolean hl7) throws Exception {
    awaitConformanceReady();
    String acc = (hl7 ? "LH" : "LF") + System.nanoTime() % 1_000_000_000L;
    String mrn = "LM" + acc;
    Path received = Files.createDirectories(tmp.resolve("pacs"));
    Process pacs = new ProcessBuilder("storescp", "-aet", "CITY_PACS", "-od", received.toString(), "11201")
        .redirectErrorStream(true).start();
    try (HookReceiver ris = new HookReceiver(); HookReceiver centre = new HookReceiver()) {
      // the hospital RIS subscribes to new orders for it
      topic("order-created", "ServiceRequest?identifier=" + ACC + "|" + acc, ris.url("/ris"));
      ris.await(1); // handshake
      Thread.sleep(100);

      // 1. the order: ORM^O01 from the centre's HIS, or a ServiceRequest through REST
      if (hl7) {
        String orm = String.join("\r",
            "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ORM^O01|" + acc + "|P|2.5.1|||||CHN|UNICODE UTF-8",
            "PID|1||" + mrn + "^^^CENTRE_A_MRN^MR||王^芳||19700312|F",
            "ORC|NW|PL-" + acc + "^HIS_A|||||^^^20261207100000^^R|||||D0042^Wang^Li",
            "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN" + "|".repeat(14) + acc
                + "|".repeat(13) + "^Headache after fall");
        assertThat(TestMllpReceiver.sendRaw(mllp.port(), orm.getBytes(StandardCharsets.UTF_8))).contains("MSA|AA");
      } else {
        String patient = json().body("""
            {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}],
             "name":[{"family":"王","given":["芳"]}],"gender":"female","birthDate":"1970-03-12"}""".formatted(mrn))
            .post("/Patient").then().statusCode(201).extract().path("id");
        json().body("""
            {"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"routine",
             "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
               "system":"%s","value":"%s"}],
             "code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
             "subject":{"reference":"Patient/%s"},"requester":{"display":"Li Wang"},
             "reasonCode":[{"text":"Headache after fall"}]}""".formatted(ACC, acc, patient))
            .post("/ServiceRequest").then().statusCode(201);
      }
      JsonPath sr = json().queryParam("identifier", ACC + "|" + acc).get("/ServiceRequest").jsonPath();
      String order = sr.getString("entry[0].resource.id");
      String subject = sr.getString("entry[0].resource.subject.reference");
      assertThat(order).as("the order is stored").isNotNull();
      // 2. routed to the reading hospital (default routing), with a Task
      assertThat(sr.getString("entry[0].resource.performer.find { it.reference.startsWith('Organization') }.reference"))
          .isEqualTo(CITY);
      assertThat(json().get("/Task/order-" + order).jsonPath().getString("businessStatus.text")).isEqualTo("routed");

      // 3. the hospital RIS is told: ORM^O01 NW by MLLP and the order-created notification
      List<String> orms = receivers().hospitalRis().await(m -> m.contains("|" + acc + "|") && m.contains("ORM^O01"), 1);
      assertThat(orms).as("outbound ORM to RIS_CITY").hasSize(1);
      Terser ormT = terser(orms.get(0));
      assertThat(ormT.get("/MSH-5")).isEqualTo("RIS_CITY");
      assertThat(ormT.get("/ORDER/ORC-1")).isEqualTo("NW");
      assertThat(ormT.get("/PATIENT/PID-3-1")).isEqualTo(mrn);
      List<HookReceiver.Hit> risHits = ris.await(2);
      assertThat(risHits).hasSize(2);
      assertThat(new JsonPath(risHits.get(1).body()).getString("entry[1].fullUrl")).endsWith("ServiceRequest/" + order);

      // the centre subscribes to its patient's final reports
      topic("report-final", "DiagnosticReport?subject=" + subject, centre.url("/centre"));
      centre.await(1);
      Thread.sleep(100);

      // 4. the modality asks its worklist (DICOM MWL C-FIND)
      String found = run("findscu", "-v", "-W", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "AccessionNumber=" + acc,
          "-k", "PatientID", "-k", "PatientName", "-k", "StudyInstanceUID", "-k", "(0040,0100)[0].Modality",
          "127.0.0.1", String.valueOf(dicom.port()));
      assertThat(found).contains(mrn).contains("王^芳").contains("[CT]").contains("Pending");

      // 5. the study (DICOM C-STORE), which the order's routing forwards to the hospital's PACS
      Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + acc, "(0010,0020)=" + mrn);
      String sop = TestDicomFiles.tag(ct, "0008,0018");
      String studyUid = TestDicomFiles.tag(ct, "0020,000d");
      run("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom.port()), ct.toString());
      String study = awaitStudy(studyUid);
      JsonPath is = json().get("/ImagingStudy/" + study).jsonPath();
      assertThat(is.getString("basedOn[0].reference")).isEqualTo("ServiceRequest/" + order);
      assertThat(is.getString("subject.reference")).isEqualTo(subject);
      assertThat(json().get("/Task/order-" + order).jsonPath().getString("businessStatus.text")).isEqualTo("study available");
      org.radbridge.server.Await.until("the instance received by the hospital PACS", java.time.Duration.ofMillis(20_000), () -> receivedSops(received).contains(sop));
      assertThat(receivedSops(received)).as("forwarded to CITY_PACS").contains(sop);

      // 6. on the reading hospital's worklist
      assertThat(worklist()).contains(study);

      // 7. the report: ORU^R01 from the RIS, or a DiagnosticReport through REST
      if (hl7) {
        String oru = String.join("\r",
            "MSH|^~\\&|RIS_CITY|CITY_HOSP|RADBRIDGE|NETWORK|20261207094500||ORU^R01^ORU_R01|R" + acc + "|P|2.5.1|||||CHN|UNICODE UTF-8",
            "PID|1||" + mrn + "^^^CENTRE_A_MRN^MR||王^芳",
            "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN|||20261207093000" + "|".repeat(11) + acc
                + "||||20261207094500|||F|||||||R0007&Chen&Mei",
            "OBX|1|TX|18782-3^Radiology Study observation^LN||No intracranial haemorrhage.||||||F");
        assertThat(TestMllpReceiver.sendRaw(mllp.port(), oru.getBytes(StandardCharsets.UTF_8))).contains("MSA|AA");
      } else {
        json().body("""
            {"resourceType":"DiagnosticReport","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
             "subject":{"reference":"%s"},"basedOn":[{"reference":"ServiceRequest/%s"}],
             "imagingStudy":[{"reference":"ImagingStudy/%s"}],"resultsInterpreter":[{"display":"Mei Chen"}],
             "conclusion":"No intracranial haemorrhage."}""".formatted(subject, order, study))
            .post("/DiagnosticReport").then().statusCode(201);
      }
      JsonPath dr = json().queryParam("based-on", "ServiceRequest/" + order).get("/DiagnosticReport").jsonPath();
      String report = dr.getString("entry[0].resource.id");
      assertThat(dr.getString("entry[0].resource.status")).isEqualTo("final");
      assertThat(dr.getString("entry[0].resource.conclusion")).isEqualTo("No intracranial haemorrhage.");
      assertThat(json().get("/Task/order-" + order).jsonPath().getString("status")).isEqualTo("completed");

      // 8. the centre is told: the report-final notification and ORU^R01 to its HIS
      List<HookReceiver.Hit> centreHits = centre.await(2);
      assertThat(centreHits).hasSize(2);
      assertThat(new JsonPath(centreHits.get(1).body()).getString("entry[1].fullUrl")).endsWith("DiagnosticReport/" + report);
      List<String> orus = receivers().centreHis().await(m -> m.contains("|" + acc + "|") && m.contains("ORU^R01"), 1);
      assertThat(orus).as("outbound ORU to HIS_A").hasSize(1);
      Terser oruT = terser(orus.get(0));
      assertThat(oruT.get("/MSH-5")).isEqualTo("HIS_A");
      assertThat(oruT.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-25")).isEqualTo("F");
      assertThat(oruT.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION/OBX-5")).isEqualTo("No intracranial haemorrhage.");

      // 9. off the worklist
      assertThat(worklist()).doesNotContain(study);

      // 10. the order's turnaround: every step, in order
      JsonPath[] turnaround = new JsonPath[1];
      org.radbridge.server.Await.until("the order's turnaround with its delivery", java.time.Duration.ofSeconds(10), () -> {
        turnaround[0] = json().get("/ServiceRequest/" + order + "/$turnaround").then().statusCode(200).extract().jsonPath();
        return turnaround[0].getString("parameter.find { it.name == 'delivered' }") != null;
      });
      JsonPath t = turnaround[0];
      List<Instant> steps = new ArrayList<>();
      for (String step : List.of("ordered", "scheduled", "study", "final", "delivered")) {
        String v = t.getString("parameter.find { it.name == '" + step + "' }.valueInstant");
        assertThat(v).as(step).isNotNull();
        steps.add(Instant.parse(v));
      }
      assertThat(steps).isSorted();
      assertThat(t.getString("parameter.find { it.name == 'ordering-org' }.valueString")).isEqualTo("Organization/org-centre-a");
      assertThat(t.getString("parameter.find { it.name == 'reading-org' }.valueString")).isEqualTo(CITY);
      assertThat(t.getString("parameter.find { it.name == 'modality' }.valueString")).isEqualTo("CT");
    } finally {
      pacs.destroy();
    }
  }

  private List<String> worklist() {
    return json().queryParam("organization", CITY).queryParam("_count", 200).get("/ImagingStudy/$worklist").then()
        .statusCode(200).extract().jsonPath().getList("entry.findAll { it.search.mode == 'match' }.resource.id");
  }

  private String awaitStudy(String uid) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      String id = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + uid).get("/ImagingStudy").jsonPath()
          .getString("entry[0].resource.id");
      if (id != null) {
        return id;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no ImagingStudy for " + uid);
  }

  private static List<String> receivedSops(Path dir) {
    return TestDicomFiles.receivedSops(dir);
  }

  private static Terser terser(String message) throws Exception {
    try (DefaultHapiContext hapi = new DefaultHapiContext()) {
      hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
      hapi.getParserConfiguration().setValidating(false);
      return new Terser(hapi.getPipeParser().parse(message));
    }
  }
}
