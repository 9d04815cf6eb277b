package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.outbox.OutboxRows;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Forwarding reacts to the order's state: a study that arrived before its order was routed is
 * forwarded once routing happens; an order re-routed after its study arrived sends the study to
 * the new hospital's PACS, once; and the per-instance record lets retention remove files with the
 * default settings after the outbox rows were purged. DCMTK's storescp plays both PACS.
 */
class ForwardingReactionTest extends ServerTestBase {
  private static final String ACCESSION_SYSTEM = "https://radbridge.org/fhir/sid/centre-a/accession";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;
  @Autowired
  DicomListener listener;
  @Autowired
  DicomRetention retention;
  @Autowired
  OutboxRows outboxRows;
  @Autowired
  StudySyncScheduler studySync;

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  /** A PACS: storescp with the AE title on the port the test network gives it; a file per receipt (+uf). */
  private Process pacs(String ae, int port, Path dir) throws Exception {
    Process p = new ProcessBuilder("storescp", "+uf", "-aet", ae, "-od", dir.toString(), String.valueOf(port))
        .redirectErrorStream(true).redirectOutput(tmp.resolve(ae + ".log").toFile()).start();
    Await.listening(port, WAIT);
    return p;
  }

  private String order(String accession, String status, String performer) {
    return json().body("""
        {"resourceType":"ServiceRequest","status":"%s","intent":"order","priority":"routine",
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
           "system":"%s","value":"%s"}],
         "code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
         "subject":{"reference":"Patient/p1"},"requester":{"reference":"Practitioner/d1"}%s}"""
        .formatted(status, ACCESSION_SYSTEM, accession,
            performer == null ? "" : ",\"performer\":[{\"reference\":\"" + performer + "\"}]"))
        .post("/ServiceRequest").then().statusCode(201).extract().path("id");
  }

  /** The order as stored, changed by {@code edit} and PUT back. */
  private void change(String orderId, java.util.function.UnaryOperator<String> edit) {
    String stored = json().get("/ServiceRequest/" + orderId).asString();
    json().body(edit.apply(stored)).put("/ServiceRequest/" + orderId).then().statusCode(200);
  }

  /** Stores a CT of the accession from the modality CT_A; returns its SOP Instance UID once its ImagingStudy exists. */
  private String storeStudy(String accession, String orderId) throws Exception {
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession);
    Process p = new ProcessBuilder("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(listener.port()), ct.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    String studyUid = TestDicomFiles.tag(ct, "0020,000d");
    Await.until("ImagingStudy of " + studyUid + " based on ServiceRequest/" + orderId, WAIT, () -> {
      studySync.flush(); // no need to wait for the quiet period once the association has handed it over
      JsonPath s = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy").jsonPath();
      List<String> basedOn = s.getList("entry.resource.basedOn.flatten().reference");
      return basedOn != null && basedOn.contains("ServiceRequest/" + orderId);
    });
    return TestDicomFiles.tag(ct, "0008,0018");
  }

  private long forwards(String sop, String destination) {
    return count("SELECT count(*) FROM dicom_forward WHERE sop_instance_uid = ? AND destination = ?", sop, destination);
  }

  private long outboxRowsOf(String sop) {
    return count("SELECT count(*) FROM outbox WHERE kind = 'dicom-cstore' AND payload LIKE ?", "%" + sop + "%");
  }

  private void awaitDelivered(String sop, String destination) {
    Await.until(sop + " delivered to " + destination, WAIT, () -> count("SELECT count(*) FROM dicom_forward"
        + " WHERE sop_instance_uid = ? AND destination = ? AND delivered_at IS NOT NULL", sop, destination) == 1);
  }

  private static List<String> receivedSops(Path dir) {
    return TestDicomFiles.receivedSops(dir);
  }


  @Test
  void aStudyStoredBeforeItsOrderIsRoutedIsForwardedOnceRoutingHappens() throws Exception {
    Path city = Files.createDirectories(tmp.resolve("city"));
    Process cityPacs = pacs("CITY_PACS", 11201, city);
    try {
      String accession = "W" + System.nanoTime() % 1_000_000_000L;
      String orderId = order(accession, "draft", null); // a draft is not routed
      String sop = storeStudy(accession, orderId);
      assertThat(forwards(sop, "CITY_PACS")).isZero();
      assertThat(outboxRowsOf(sop)).isZero();

      change(orderId, o -> o.replace("\"status\":\"draft\"", "\"status\":\"active\"")); // routed: city-hospital
      assertThat(json().get("/ServiceRequest/" + orderId).jsonPath().getList("performer.reference"))
          .contains("Organization/org-city-hospital");
      awaitDelivered(sop, "CITY_PACS");
      assertThat(receivedSops(city)).contains(sop);

      // a later change of the order that keeps its route sends nothing again
      change(orderId, o -> o.replace("\"priority\":\"routine\"", "\"priority\":\"urgent\""));
      assertThat(forwards(sop, "CITY_PACS")).isEqualTo(1);
      assertThat(outboxRowsOf(sop)).isEqualTo(1);
      assertThat(receivedSops(city).stream().filter(sop::equals).count()).isEqualTo(1);
    } finally {
      cityPacs.destroy();
    }
  }

  @Test
  void reRoutingAnOrderForwardsItsStudyToTheNewHospitalOnce() throws Exception {
    Path city = Files.createDirectories(tmp.resolve("city"));
    Path north = Files.createDirectories(tmp.resolve("north"));
    Process cityPacs = pacs("CITY_PACS", 11201, city);
    Process northPacs = pacs("NORTH_PACS", 11203, north);
    try {
      String accession = "V" + System.nanoTime() % 1_000_000_000L;
      String orderId = order(accession, "active", "Organization/org-city-hospital");
      String sop = storeStudy(accession, orderId);
      awaitDelivered(sop, "CITY_PACS");
      assertThat(forwards(sop, "NORTH_PACS")).isZero();

      change(orderId, o -> o.replace("Organization/org-city-hospital", "Organization/org-north-hospital"));
      awaitDelivered(sop, "NORTH_PACS");
      assertThat(receivedSops(north)).containsOnlyOnce(sop);
      assertThat(receivedSops(city)).containsOnlyOnce(sop);

      change(orderId, o -> o.replace("\"priority\":\"routine\"", "\"priority\":\"urgent\""));
      assertThat(forwards(sop, "CITY_PACS")).isEqualTo(1);
      assertThat(forwards(sop, "NORTH_PACS")).isEqualTo(1);
      assertThat(outboxRowsOf(sop)).isEqualTo(2);
    } finally {
      cityPacs.destroy();
      northPacs.destroy();
    }
  }

  @Test
  void withTheDefaultSettingsRetentionRemovesFilesAfterTheOutboxRowsArePurged() throws Exception {
    Path city = Files.createDirectories(tmp.resolve("city"));
    Process cityPacs = pacs("CITY_PACS", 11201, city);
    try {
      String accession = "T" + System.nanoTime() % 1_000_000_000L;
      String orderId = order(accession, "active", "Organization/org-city-hospital");
      String sop = storeStudy(accession, orderId);
      awaitDelivered(sop, "CITY_PACS");
      json().body("{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"CT head\"},"
          + "\"basedOn\":[{\"reference\":\"ServiceRequest/" + orderId + "\"}],\"conclusion\":\"normal\"}")
          .post("/DiagnosticReport").then().statusCode(201);
      Path file = Path.of(jdbc.queryForObject("SELECT file_path FROM dicom_instance WHERE sop_instance_uid = ?",
          String.class, sop));

      // default keep-delivered (7 days) purges the outbox rows long before default retention (30 days)
      Instant now = Instant.now();
      outboxRows.purgeDelivered(now.plus(Duration.ofDays(8)));
      assertThat(outboxRowsOf(sop)).isZero();
      retention.removeExpired(now.plus(Duration.ofDays(29)));
      assertThat(file).exists();
      retention.removeExpired(now.plus(Duration.ofDays(31)));
      assertThat(file).doesNotExist();
      assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ? AND file_removed_at IS NOT NULL",
          sop)).isEqualTo(1);
    } finally {
      cityPacs.destroy();
    }
  }
}
