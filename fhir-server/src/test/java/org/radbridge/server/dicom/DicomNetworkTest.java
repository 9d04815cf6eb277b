package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** The DICOM listener driven by DCMTK, the independent peer. */
class DicomNetworkTest extends ServerTestBase {
  @TempDir
  Path tmp;
  @Autowired
  DicomListener listener;
  @Autowired
  RadBridgeProperties props;
  @Autowired
  DicomStorage storage;
  @Autowired
  DicomRetention retentionJob;
  @Autowired
  javax.sql.DataSource dataSource;

  @org.junit.jupiter.api.BeforeEach
  void validatorWarm() {
    awaitConformanceReady(); // the ImagingStudy claims a network profile: the first one waits for the validator
  }

  /** Runs a DCMTK tool; returns exit code and output. */
  private record Run(int exit, String output) {}

  private Run dcmtk(String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1"); // DCMTK 3.6.7 leaves Nagle on otherwise (~40 ms an instance)
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  private Run storescu(String callingAe, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", callingAe, "-aec", "RADBRIDGE"));
    cmd.addAll(List.of(options));
    cmd.add(1, "-v");
    List<String> files = new ArrayList<>();
    List<String> opts = new ArrayList<>();
    for (String c : cmd) {
      (c.endsWith(".dcm") ? files : opts).add(c);
    }
    opts.add("127.0.0.1");
    opts.add(String.valueOf(listener.port()));
    opts.addAll(files);
    return dcmtk(opts.toArray(String[]::new));
  }

  private JsonPath study(String studyUid) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonPath p = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
          .then().statusCode(200).extract().jsonPath();
      if (p.getList("entry") != null && !p.getList("entry").isEmpty()) {
        return p;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no ImagingStudy for " + studyUid);
  }

  @Test
  void echoFromAKnownNodeAndRejectionOfAnUnknownOne() throws Exception {
    Run ok = dcmtk("echoscu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(listener.port()));
    assertThat(ok.exit()).as(ok.output()).isZero();
    Run rejected = dcmtk("echoscu", "-v", "-aet", "STRANGER", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(listener.port()));
    assertThat(rejected.exit()).isNotZero();
    assertThat(rejected.output()).contains("Calling AE Title Not Recognized");
  }

  @Test
  void aStoredStudyBecomesAnImagingStudyAndADuplicateChangesNothing() throws Exception {
    String accession = "N" + System.nanoTime() % 1_000_000_000L;
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession);
    String studyUid = TestDicomFiles.tag(ct, "0020,000d");
    Run sent = storescu("CT_A", ct.toString());
    assertThat(sent.exit()).as(sent.output()).isZero();
    long released = System.currentTimeMillis();
    JsonPath p = study(studyUid);
    long visibleAfter = System.currentTimeMillis() - released;
    assertThat(visibleAfter).as("searchable within 1 s of the release").isLessThan(1000);
    assertThat(p.getInt("entry[0].resource.numberOfInstances")).isEqualTo(1);
    assertThat(p.getString("entry[0].resource.identifier[1].value")).isEqualTo(accession);
    String version = p.getString("entry[0].resource.meta.versionId");

    Run again = storescu("CT_A", ct.toString());
    assertThat(again.exit()).as(again.output()).isZero();
    Thread.sleep(300);
    JsonPath after = study(studyUid);
    assertThat(after.getInt("entry[0].resource.numberOfInstances")).isEqualTo(1);
    assertThat(after.getString("entry[0].resource.meta.versionId")).isEqualTo(version);
  }

  @Test
  void compressedInstancesAreStoredAsReceived() throws Exception {
    Path rle = TestDicomFiles.copyWithNewUids("MR_small_RLE.dcm", tmp);
    String sop = TestDicomFiles.tag(rle, "0008,0018");
    Run sent = storescu("CT_A", "-xr", rle.toString());
    assertThat(sent.exit()).as(sent.output()).isZero();
    study(TestDicomFiles.tag(rle, "0020,000d"));
    assertThat(jdbc.queryForObject("SELECT transfer_syntax_uid FROM dicom_instance WHERE sop_instance_uid = ?",
        String.class, sop)).isEqualTo("1.2.840.10008.1.2.5");
  }

  @Test
  void twoAssociationsOfOneStudyAtOnceMakeOneStudyWithExactCounts() throws Exception {
    Path a = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    String studyUid = TestDicomFiles.tag(a, "0020,000d");
    Path b = TestDicomFiles.copyWithNewUids("MR_small.dcm", tmp, "(0020,000d)=" + studyUid);
    Path c = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0020,000d)=" + studyUid);
    CompletableFuture<Run> first = CompletableFuture.supplyAsync(() -> {
      try {
        return storescu("CT_A", a.toString(), c.toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Run second = storescu("CT_A", b.toString());
    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(first.get().exit()).as(first.get().output()).isZero();
    Thread.sleep(300);
    JsonPath p = study(studyUid);
    assertThat(p.getList("entry")).hasSize(1);
    assertThat(p.getInt("entry[0].resource.numberOfInstances")).isEqualTo(3);
    assertThat(p.getInt("entry[0].resource.numberOfSeries")).isEqualTo(3);
  }

  @Test
  void aSeriesSentOverConcurrentAssociationsConvergesToWhatCFindCountsWithoutAnotherAssociation() throws Exception {
    // six instances of one MR series, each in its own association, all at once: instances commit while
    // an update of the study reads its rows, and the ImagingStudy must still end up with all six
    Path first = TestDicomFiles.copyWithNewUids("MR_small.dcm", tmp);
    String studyUid = TestDicomFiles.tag(first, "0020,000d");
    String seriesUid = TestDicomFiles.tag(first, "0020,000e");
    List<Path> files = new ArrayList<>(List.of(first));
    for (int i = 0; i < 5; i++) {
      files.add(TestDicomFiles.copyWithNewUids("MR_small.dcm", tmp, "(0020,000d)=" + studyUid,
          "(0020,000e)=" + seriesUid));
    }
    List<CompletableFuture<Run>> sends = files.stream().map(f -> CompletableFuture.supplyAsync(() -> {
      try {
        return storescu("CT_A", f.toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).toList();
    for (CompletableFuture<Run> send : sends) {
      assertThat(send.get().exit()).as(send.get().output()).isZero();
    }
    // nothing but reads from here on: no further C-STORE association, no restart
    org.radbridge.server.Await.until("the ImagingStudy with all six instances", java.time.Duration.ofSeconds(20),
        () -> {
          JsonPath p = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
              .then().statusCode(200).extract().jsonPath();
          return p.getList("entry") != null && p.getList("entry").size() == 1
              && p.getInt("entry[0].resource.numberOfInstances") == 6;
        });
    JsonPath study = study(studyUid);
    Run studyLevel = dcmtk("findscu", "-v", "-S", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "QueryRetrieveLevel=STUDY",
        "-k", "StudyInstanceUID=" + studyUid, "-k", "NumberOfStudyRelatedSeries", "-k", "NumberOfStudyRelatedInstances",
        "127.0.0.1", String.valueOf(listener.port()));
    Run seriesLevel = dcmtk("findscu", "-v", "-S", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "QueryRetrieveLevel=SERIES",
        "-k", "StudyInstanceUID=" + studyUid, "-k", "SeriesInstanceUID", "-k", "NumberOfSeriesRelatedInstances",
        "127.0.0.1", String.valueOf(listener.port()));
    assertThat(findCount(studyLevel, "0020,1208")).as(studyLevel.output())
        .isEqualTo(study.getInt("entry[0].resource.numberOfInstances")).isEqualTo(6);
    assertThat(findCount(studyLevel, "0020,1206")).isEqualTo(study.getInt("entry[0].resource.numberOfSeries")).isEqualTo(1);
    assertThat(findCount(seriesLevel, "0020,1209")).as(seriesLevel.output())
        .isEqualTo(study.getInt("entry[0].resource.series[0].numberOfInstances")).isEqualTo(6);
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE study_instance_uid = ? AND NOT study_synced", studyUid))
        .isZero();
  }

  /** The IS value of {@code tag} in the one C-FIND response findscu -v printed. */
  private static int findCount(Run found, String tag) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(" + tag + "\\) IS \\[(\\d+) *\\]")
        .matcher(found.output());
    assertThat(m.find()).as(found.output()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void aStudyOfARoutedOrderIsForwardedToTheReadingHospitalsPacs() throws Exception {
    Path received = Files.createDirectories(tmp.resolve("pacs"));
    Process pacs = new ProcessBuilder("storescp", "-aet", "CITY_PACS", "-od", received.toString(), "11201")
        .redirectErrorStream(true).start();
    try {
      org.radbridge.server.Await.listening(11201, java.time.Duration.ofSeconds(10));
      String accession = "F" + System.nanoTime() % 1_000_000_000L;
      String order = json().body("""
          {"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"routine",
           "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
             "system":"https://radbridge.org/fhir/sid/centre-a/accession","value":"%s"}],
           "code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
           "subject":{"reference":"Patient/p1"},"requester":{"reference":"Practitioner/d1"},
           "performer":[{"reference":"Organization/org-city-hospital"}]}""".formatted(accession))
          .post("/ServiceRequest").then().statusCode(201).extract().path("id");
      Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession);
      String sop = TestDicomFiles.tag(ct, "0008,0018");
      Run sent = storescu("CT_A", ct.toString());
      assertThat(sent.exit()).as(sent.output()).isZero();
      org.radbridge.server.Await.until("the instance forwarded to the PACS", java.time.Duration.ofMillis(15_000), () -> !(count("SELECT count(*) FROM outbox WHERE kind = 'dicom-cstore'" + " AND payload LIKE ? AND state = 'delivered'", "%" + sop + "%") == 0));
      assertThat(receivedSops(received)).contains(sop); // other tests' studies may arrive too (default routing)
      JsonPath study = study(TestDicomFiles.tag(ct, "0020,000d"));
      assertThat(study.getString("entry[0].resource.basedOn[0].reference")).isEqualTo("ServiceRequest/" + order);

      // retention: forwarded, but no final report yet -> kept; final report and the retention time -> removed
      String file = jdbc.queryForObject("SELECT file_path FROM dicom_instance WHERE sop_instance_uid = ?", String.class, sop);
      // as of a moment past the retention time (the default, 30 days)
      java.time.Instant later = java.time.Instant.now().plus(props.getDicom().getRetention()).plusSeconds(60);
      retentionJob.removeExpired(later);
      assertThat(Path.of(file)).exists();
      json().body("{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"CT head\"},"
          + "\"basedOn\":[{\"reference\":\"ServiceRequest/" + order + "\"}],\"conclusion\":\"normal\"}")
          .post("/DiagnosticReport").then().statusCode(201);
      assertThat(retentionJob.removeExpired(later)).isGreaterThanOrEqualTo(1);
      assertThat(Path.of(file)).doesNotExist();
      assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ? AND file_removed_at IS NOT NULL",
          sop)).isEqualTo(1);
    } finally {
      pacs.destroy();
    }
  }

  /** findscu -W as {@code ae}, its output read as GB18030 (a superset of ASCII, as the node may be configured). */
  private String findscuAs(String ae, String... keys) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("findscu", "-v", "-W", "-aet", ae, "-aec", "RADBRIDGE"));
    for (String k : keys) {
      cmd.add("-k");
      cmd.add(k);
    }
    cmd.add("127.0.0.1");
    cmd.add(String.valueOf(listener.port()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.Charset.forName("GB18030"));
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private Run findscu(String... keys) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("findscu", "-v", "-W", "-aet", "CT_A", "-aec", "RADBRIDGE"));
    for (String k : keys) {
      cmd.add("-k");
      cmd.add(k);
    }
    cmd.add("127.0.0.1");
    cmd.add(String.valueOf(listener.port()));
    return dcmtk(cmd.toArray(String[]::new));
  }

  @Test
  void theModalityWorklistAnswersActiveOrdersWithChineseNamesIntact() throws Exception {
    String mrn = unique("W").substring(0, 16);
    String patient = json().body("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}],
         "name":[{"family":"张","given":["伟"]}],"gender":"male","birthDate":"1961-04-17"}""".formatted(mrn))
        .post("/Patient").then().statusCode(201).extract().path("id");
    String accession = "W" + System.nanoTime() % 1_000_000_000L;
    String order = json().body("""
        {"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"stat",
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
           "system":"https://radbridge.org/fhir/sid/centre-a/accession","value":"%s"}],
         "code":{"coding":[{"system":"http://loinc.org","code":"30799-1","display":"CT Head WO contrast"}]},
         "subject":{"reference":"Patient/%s"},"requester":{"reference":"Practitioner/d1"},
         "occurrenceDateTime":"2026-11-20T09:00:00+08:00",
         "performer":[{"reference":"Device/station-CT-A"},{"reference":"Organization/org-city-hospital"}]}"""
        .formatted(accession, patient)).post("/ServiceRequest").then().statusCode(201).extract().path("id");
    String studyUid = json().get("/ServiceRequest/" + order).jsonPath()
        .getString("identifier.find { it.system == 'urn:dicom:uid' }.value").replace("urn:oid:", "");

    Run found = findscu("AccessionNumber=" + accession, "PatientName", "PatientID", "StudyInstanceUID",
        "(0040,0100)[0].Modality", "(0040,0100)[0].ScheduledStationAETitle",
        "(0040,0100)[0].ScheduledProcedureStepStartDate");
    assertThat(found.exit()).as(found.output()).isZero();
    assertThat(found.output()).contains("张^伟").contains(mrn).contains(studyUid).contains("ISO_IR 192")
        .contains("[CT]").contains("[CT_A]").contains("[20261120]").contains("Pending");
    assertThat(found.output()).doesNotContain("PatientBirthDate"); // only the keys asked for

    Run wildcard = findscu("PatientName=张*", "PatientID=" + mrn, "(0040,0100)[0].ScheduledProcedureStepStartDate=20261119-20261121");
    assertThat(wildcard.output()).contains(accession == null ? "" : mrn).contains("Pending");
    // centre B's station (configured for GB18030) does not get centre A's item; it gets its own centre's, in GB18030
    assertThat(findscuAs("US_B", "AccessionNumber=" + accession, "PatientName")).doesNotContain("Pending")
        .doesNotContain(mrn);
    String mrnB = unique("B").substring(0, 16);
    String patientB = json().body("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-b/mrn","value":"%s"}],
         "name":[{"family":"张","given":["伟"]}]}""".formatted(mrnB)).post("/Patient").then().statusCode(201).extract().path("id");
    String accessionB = "WB" + System.nanoTime() % 1_000_000_000L;
    json().body("""
        {"resourceType":"ServiceRequest","status":"active","intent":"order",
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
           "system":"https://radbridge.org/fhir/sid/centre-b/accession","value":"%s"}],
         "code":{"coding":[{"system":"http://loinc.org","code":"30799-1","display":"CT Head WO contrast"}]},
         "subject":{"reference":"Patient/%s"},"requester":{"reference":"Organization/org-centre-b"},
         "occurrenceDateTime":"2026-11-20T09:00:00+08:00","performer":[{"reference":"Device/station-US-B"}]}"""
        .formatted(accessionB, patientB)).post("/ServiceRequest").then().statusCode(201);
    String gbOut = findscuAs("US_B", "AccessionNumber=" + accessionB, "PatientName");
    assertThat(gbOut).contains("[GB18030").contains("[张^伟").contains("Pending");
    assertThat(findscu("AccessionNumber=" + accessionB, "PatientName").output()).doesNotContain("Pending");
    Run none = findscu("PatientID=" + mrn, "(0040,0100)[0].Modality=MR");
    assertThat(none.exit()).isZero();
    assertThat(none.output()).doesNotContain("Pending");
  }

  @Test
  void healthReportsTheDicomStorage() {
    RestAssured.given().basePath("").get("/actuator/health").then().statusCode(200)
        .body("components.dicomStorage.status", equalTo("UP"));
    // DOWN below the floor: FullDiskTest
    RestAssured.given().basePath("").get("/actuator/prometheus").then().statusCode(200)
        .body(org.hamcrest.Matchers.containsString("radbridge_dicom_disk_free_bytes"));
  }

  @Test
  void aDataSetThatDoesNotMatchItsCommandIsRefusedWithA900() throws Exception {
    Path bad = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0018)=1.2.3.abc");
    Run sent = storescu("CT_A", bad.toString());
    assertThat(sent.output()).contains("DataSetDoesNotMatchSOPClass");
  }

  @Test
  void aStudyWhoseUpdateWasLostIsRepairedAtStart() throws Exception {
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    TestDicomFiles.Dataset d = TestDicomFiles.dataset(ct);
    String studyUid = TestDicomFiles.tag(ct, "0020,000d");
    // stored as by a C-STORE whose association died before the study update
    assertThat(storage.store("CT_A", "centre-a", TestDicomFiles.tag(ct, "0008,0016"), TestDicomFiles.tag(ct, "0008,0018"),
        d.transferSyntax(), d.bytes()).isSuccess()).isTrue();
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE study_instance_uid = ? AND NOT study_synced", studyUid))
        .isEqualTo(1);
    // a node starting on this database repairs it — in the background: its writes wait for the
    // validator, which is warmed after the same start-up event (on the event's thread: never ready)
    try (org.springframework.context.ConfigurableApplicationContext node = org.radbridge.server.TestServers
        .sharing(dataSource).withTestNetwork().with("radbridge.data-dir", Files.createTempDirectory("radbridge-repair-"))
        .start()) {
      org.radbridge.server.Await.until("the study repaired by the starting node", java.time.Duration.ofSeconds(60),
          () -> count("SELECT count(*) FROM dicom_instance WHERE study_instance_uid = ? AND NOT study_synced",
              studyUid) == 0);
    }
    assertThat(study(studyUid).getInt("entry[0].resource.numberOfInstances")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE study_instance_uid = ? AND NOT study_synced", studyUid))
        .isZero();
  }

  @Test
  void studyRootFindAtStudyAndSeriesLevel() throws Exception {
    Path a = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=SRF1");
    String studyUid = TestDicomFiles.tag(a, "0020,000d");
    Path b = TestDicomFiles.copyWithNewUids("MR_small.dcm", tmp, "(0020,000d)=" + studyUid);
    assertThat(storescu("CT_A", a.toString(), b.toString()).exit()).isZero();
    study(studyUid);
    Run studyLevel = dcmtk("findscu", "-v", "-S", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "QueryRetrieveLevel=STUDY",
        "-k", "StudyInstanceUID=" + studyUid, "-k", "ModalitiesInStudy", "-k", "NumberOfStudyRelatedInstances",
        "-k", "AccessionNumber", "127.0.0.1", String.valueOf(listener.port()));
    assertThat(studyLevel.exit()).as(studyLevel.output()).isZero();
    assertThat(studyLevel.output()).contains("[CT\\MR").contains("[SRF1]").contains("IS [2 ]");
    Run seriesLevel = dcmtk("findscu", "-v", "-S", "-aet", "CT_A", "-aec", "RADBRIDGE", "-k", "QueryRetrieveLevel=SERIES",
        "-k", "StudyInstanceUID=" + studyUid, "-k", "SeriesInstanceUID", "-k", "Modality=MR",
        "-k", "NumberOfSeriesRelatedInstances", "127.0.0.1", String.valueOf(listener.port()));
    assertThat(seriesLevel.output()).contains(TestDicomFiles.tag(b, "0020,000e"))
        .doesNotContain(TestDicomFiles.tag(a, "0020,000e"));
  }

  private static List<String> receivedSops(Path dir) {
    return TestDicomFiles.receivedSops(dir);
  }


  @Test
  void aStudyWithoutAnOrderIsForwardedByTheRoutingRules() throws Exception {
    Path received = Files.createDirectories(tmp.resolve("pacs2"));
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=NOORDER" + System.nanoTime() % 100000);
    String sop = TestDicomFiles.tag(ct, "0008,0018");
    Process pacs = new ProcessBuilder("storescp", "-aet", "CITY_PACS", "-od", received.toString(), "11201")
        .redirectErrorStream(true).start();
    try {
      org.radbridge.server.Await.listening(11201, java.time.Duration.ofSeconds(10));
      assertThat(storescu("CT_A", ct.toString()).exit()).isZero();
      org.radbridge.server.Await.until("the instance received by the PACS", java.time.Duration.ofMillis(15_000), () -> receivedSops(received).contains(sop));
      // CT from centre-a: no rule matches, the default reading hospital is city-hospital, whose PACS is CITY_PACS
      assertThat(receivedSops(received)).contains(sop);
    } finally {
      pacs.destroy();
    }
  }

  @Test
  void theSamePatientByFhirAndByDicomIsOnePatient() throws Exception {
    String mrn = "M" + System.nanoTime() % 1_000_000_000L;
    String patient = json().body("""
        {"resourceType":"Patient","identifier":[{"system":"https://radbridge.org/fhir/sid/centre-a/mrn","value":"%s"}],
         "name":[{"family":"Li"}]}""".formatted(mrn)).post("/Patient").then().statusCode(201).extract().path("id");
    Path fromA = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0010,0020)=" + mrn);
    Path fromB = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0010,0020)=" + mrn);
    assertThat(storescu("CT_A", fromA.toString()).exit()).isZero();
    assertThat(storescu("US_B", fromB.toString()).exit()).isZero();
    // centre-a's MRN is the FHIR patient; the same number from centre-b is another patient
    assertThat(study(TestDicomFiles.tag(fromA, "0020,000d")).getString("entry[0].resource.subject.reference"))
        .isEqualTo("Patient/" + patient);
    assertThat(study(TestDicomFiles.tag(fromB, "0020,000d")).getString("entry[0].resource.subject.reference"))
        .isNotEqualTo("Patient/" + patient);
  }


}
