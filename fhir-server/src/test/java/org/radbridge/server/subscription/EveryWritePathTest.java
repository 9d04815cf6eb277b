package org.radbridge.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.dicom.DicomListener;
import org.radbridge.server.dicom.TestDicomFiles;
import org.radbridge.server.hl7v2.MllpListener;
import org.radbridge.server.hl7v2.TestMllpReceiver;
import org.springframework.beans.factory.annotation.Autowired;

/** Topic notifications for writes that came in by HL7 v2, a transaction bundle and DICOM C-STORE. */
class EveryWritePathTest extends ServerTestBase {
  private static final String BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";
  private static final String ACCESSION = "https://radbridge.org/fhir/sid/centre-a/accession";

  @Autowired
  MllpListener mllp;
  @Autowired
  DicomListener dicom;
  @TempDir
  Path tmp;

  private void subscribe(String topic, String filter, String endpoint) {
    json().body("""
        {"resourceType":"Subscription","status":"requested","reason":"x",
         "criteria":"https://radbridge.org/fhir/SubscriptionTopic/%s",
         "_criteria":{"extension":[{"url":"%sbackport-filter-criteria","valueString":"%s"}]},
         "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json",
           "_payload":{"extension":[{"url":"%sbackport-payload-content","valueCode":"id-only"}]}}}"""
        .formatted(topic, BACKPORT, filter, endpoint, BACKPORT)).post("/Subscription").then().statusCode(201);
  }

  private static String focus(HookReceiver.Hit hit) {
    return new JsonPath(hit.body()).getString("entry[1].fullUrl");
  }

  @Test
  void anHl7OrderATransactionOrderAndADicomStudyEachNotify() throws Exception {
    awaitConformanceReady();
    String acc = "W" + System.nanoTime() % 1_000_000_000L;
    String acc2 = acc + "T";
    try (HookReceiver orders = new HookReceiver(); HookReceiver studies = new HookReceiver()) {
      subscribe("order-created", "ServiceRequest?identifier=" + ACCESSION + "|" + acc + "," + ACCESSION + "|" + acc2,
          orders.url("/orders"));
      subscribe("study-available", "ImagingStudy?identifier=" + ACCESSION + "|" + acc, studies.url("/studies"));
      orders.await(1); // handshake
      studies.await(1);
      Thread.sleep(100);

      String orm = String.join("\r",
          "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261207091200||ORM^O01|EW" + acc + "|P|2.5.1|||||CHN|UNICODE UTF-8",
          "PID|1||M" + acc + "^^^CENTRE_A_MRN^MR||李^雷||19800101|M",
          "ORC|NW|PL-" + acc + "^HIS_A|||||^^^20261207100000^^R|||||D0042^Wang^Li",
          "OBR|1|PL-" + acc + "^HIS_A||30799-1^CT Head WO contrast^LN" + "|".repeat(14) + acc);
      assertThat(TestMllpReceiver.sendRaw(mllp.port(), orm.getBytes(StandardCharsets.UTF_8))).contains("MSA|AA");
      List<HookReceiver.Hit> o = orders.await(2);
      assertThat(o).hasSize(2);
      String order = focus(o.get(1)).replaceAll(".*/ServiceRequest/", "");
      JsonPath sr = json().get("/ServiceRequest/" + order).jsonPath();
      assertThat(sr.getString("identifier.find { it.system == '" + ACCESSION + "' }.value")).isEqualTo(acc);

      String bundle = """
          {"resourceType":"Bundle","type":"transaction","entry":[
            {"fullUrl":"urn:uuid:3f1c1d9e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient"},
             "request":{"method":"POST","url":"Patient"}},
            {"resource":{"resourceType":"ServiceRequest","status":"active","intent":"order",
              "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
                "system":"%s","value":"%s"}],
              "code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
              "subject":{"reference":"urn:uuid:3f1c1d9e-0000-4000-8000-000000000001"}},
             "request":{"method":"POST","url":"ServiceRequest"}}]}""".formatted(ACCESSION, acc2);
      json().body(bundle).post("").then().statusCode(200);
      o = orders.await(3);
      assertThat(o).hasSize(3);
      assertThat(focus(o.get(2))).contains("/ServiceRequest/").doesNotContain(order);

      Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + acc);
      ProcessBuilder pb = new ProcessBuilder("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
          String.valueOf(dicom.port()), ct.toString()).redirectErrorStream(true);
      pb.environment().put("TCP_NODELAY", "1");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(out).isZero();
      List<HookReceiver.Hit> s = studies.await(2);
      assertThat(s).hasSize(2);
      String study = focus(s.get(1)).replaceAll(".*/ImagingStudy/", "");
      assertThat(json().get("/ImagingStudy/" + study).jsonPath().getString("basedOn[0].reference"))
          .isEqualTo("ServiceRequest/" + order);
    }
  }
}
