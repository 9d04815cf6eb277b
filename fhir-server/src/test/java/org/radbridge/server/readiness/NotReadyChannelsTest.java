package org.radbridge.server.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.RestAssured;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.dicom.DicomListener;
import org.radbridge.server.dicom.TestDicomFiles;
import org.radbridge.server.hl7v2.MllpClient;
import org.radbridge.server.hl7v2.MllpListener;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * While RadBridge is not ready — held here by a pending task of the test's own, the way start-up
 * holds it — every channel refuses writes so that senders send again, and stores nothing: the
 * readiness probe is OUT_OF_SERVICE, FHIR writes 503 with Retry-After, HL7 v2 AR 207, C-STORE
 * 0xA700 and an association from an AE title the directory does not (yet) know is rejected
 * transiently. Once released, the same requests are taken.
 */
class NotReadyChannelsTest extends ServerTestBase {
  private static final String ACCESSION = "https://radbridge.org/fhir/sid/centre-a/accession|";

  @Autowired
  MllpListener mllp;
  @Autowired
  DicomListener dicom;
  @TempDir
  Path tmp;

  @Test
  void whileNotReadyEveryChannelAsksForARetryAndStoresNothingThenTakesTheSameRequests() throws Exception {
    String accession = "NR" + System.nanoTime() % 1_000_000_000L;
    String orm = orm(accession);
    String order = example("ServiceRequest-rb-example-order").replace("\"id\": \"rb-example-order\",", "")
        .replace("A2026-000451", "REST-" + accession);
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    String sop = TestDicomFiles.tag(ct, "0008,0018");

    try (ReadinessGate.Pending hold = readiness.pending("a test holding readiness")) {
      RestAssured.given().basePath("").get("/actuator/health/readiness").then().statusCode(503)
          .body("status", equalTo("OUT_OF_SERVICE"));

      json().body(order).post("/ServiceRequest").then().statusCode(503).header("Retry-After", "5")
          .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("transient"))
          .body("issue[0].diagnostics", containsString("a test holding readiness"));
      json().get("/metadata").then().statusCode(200); // reads go on
      json().queryParam("identifier", ACCESSION + accession).get("/ServiceRequest").then().statusCode(200);

      try (MllpClient client = new MllpClient(mllp.port())) {
        Terser ack = new Terser(client.send(orm));
        assertThat(ack.get("/MSA-1")).isEqualTo("AR");
        assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
        assertThat(ack.get("/ERR-3-1")).isEqualTo("207");
        assertThat(ack.get("/ERR-3-9")).contains("send the message again");
      }

      String stored = dcmtk("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
          String.valueOf(dicom.port()), ct.toString());
      assertThat(stored).contains("Refused: OutOfResources");
      String stranger = dcmtk("echoscu", "-v", "-aet", "STRANGER", "-aec", "RADBRIDGE", "127.0.0.1",
          String.valueOf(dicom.port()));
      assertThat(stranger).contains("Rejected Transient").contains("Temporary Congestion");

      json().queryParam("identifier", ACCESSION + accession).get("/ServiceRequest").then()
          .body("entry", org.hamcrest.Matchers.nullValue());
      assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", sop)).isZero();
      assertThat(count("SELECT count(*) FROM hl7_message WHERE control_id = ?", "C" + accession)).isZero();
    }

    RestAssured.given().basePath("").get("/actuator/health/readiness").then().statusCode(200)
        .body("status", equalTo("UP"));
    json().body(order).post("/ServiceRequest").then().statusCode(201);
    try (MllpClient client = new MllpClient(mllp.port())) {
      Message ack = client.send(orm);
      assertThat(MllpClient.msa1(ack)).as(ack.encode()).isEqualTo("AA");
    }
    json().queryParam("identifier", ACCESSION + accession).get("/ServiceRequest").then().statusCode(200)
        .body("entry.size()", equalTo(1));
    assertThat(dcmtk("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom.port()),
        ct.toString())).doesNotContain("Refused");
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", sop)).isEqualTo(1);
    String stranger = dcmtk("echoscu", "-v", "-aet", "STRANGER", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(dicom.port()));
    assertThat(stranger).as("ready: an unknown AE title is unknown for good").contains("Calling AE Title Not Recognized");
  }

  private static String orm(String accession) {
    return String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261204091000||ORM^O01|C" + accession + "|P|2.3.1",
        "PID|1||M" + accession + "^^^CENTRE_A_MRN^MR||Zhang^Wei||19610417|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|PL-" + accession + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession);
  }

  /** Runs a DCMTK tool to its end; its output (stdout and stderr). */
  private static String dcmtk(String... cmd) throws Exception {
    List<String> args = new ArrayList<>(List.of(cmd));
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
