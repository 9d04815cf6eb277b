package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Study-root C-FIND answers a node with what its organisation may read (DCMTK findscu): a centre's
 * station sees its centre's studies and never another centre's, the reading hospital's node the
 * studies of orders routed to it, the exchange's node every study; before a study's ImagingStudy is
 * written, the organisation of the node that sent it.
 */
class StudyRootScopeTest extends ServerTestBase {
  @TempDir
  Path tmp;
  @Autowired
  DicomListener listener;
  @Autowired
  DicomStorage storage;
  @Autowired
  StudySyncScheduler studies;

  @BeforeEach
  void validatorWarm() {
    awaitConformanceReady(); // the ImagingStudy claims a network profile: the first one waits for the validator
  }

  private record Run(int exit, String output) {}

  private static Run dcmtk(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  private Run storescu(String callingAe, Path file) throws Exception {
    Run r = dcmtk(List.of("storescu", "-aet", callingAe, "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(listener.port()), file.toString()));
    assertThat(r.exit()).as(r.output()).isZero();
    return r;
  }

  /** Study-level findscu as {@code ae}: the output, with Study Instance UID and accession number asked for. */
  private String findStudies(String ae, String... keys) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("findscu", "-v", "-S", "-aet", ae, "-aec", "RADBRIDGE",
        "-k", "QueryRetrieveLevel=STUDY", "-k", "AccessionNumber"));
    for (String k : keys) {
      cmd.add("-k");
      cmd.add(k);
    }
    if (List.of(keys).stream().noneMatch(k -> k.startsWith("StudyInstanceUID"))) {
      cmd.addAll(List.of("-k", "StudyInstanceUID"));
    }
    cmd.add("127.0.0.1");
    cmd.add(String.valueOf(listener.port()));
    Run r = dcmtk(cmd);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).as(r.output()).doesNotContain("Failed").contains("Received Final Find Response");
    return r.output();
  }

  private void awaitImagingStudy(String studyUid) {
    Await.until("the ImagingStudy of " + studyUid, Duration.ofSeconds(20), () -> {
      JsonPath p = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
          .then().statusCode(200).extract().jsonPath();
      return p.getList("entry") != null && !p.getList("entry").isEmpty();
    });
  }

  @Test
  void eachCentresStationFindsOnlyItsCentresStudiesAndTheReadersTheirs() throws Exception {
    String run = "SC" + System.nanoTime() % 1_000_000_000L;
    String accessionA = run + "A";
    String accessionB = run + "B";
    // centre A's order, routed to city-hospital; its study comes from centre A's CT
    json().body("""
        {"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"routine",
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
           "system":"https://radbridge.org/fhir/sid/centre-a/accession","value":"%s"}],
         "code":{"coding":[{"system":"http://loinc.org","code":"30799-1"}]},
         "requester":{"reference":"Organization/org-centre-a"},
         "performer":[{"reference":"Organization/org-city-hospital"}]}""".formatted(accessionA))
        .post("/ServiceRequest").then().statusCode(201);
    Path a = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accessionA);
    Path b = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accessionB);
    String studyA = TestDicomFiles.tag(a, "0020,000d");
    String studyB = TestDicomFiles.tag(b, "0020,000d");
    storescu("CT_A", a);
    storescu("US_B", b);
    awaitImagingStudy(studyA);
    awaitImagingStudy(studyB);

    // every study of this run, universal otherwise: the organisation decides in the SQL
    String byA = findStudies("CT_A", "AccessionNumber=" + run + "*");
    assertThat(byA).contains(studyA).doesNotContain(studyB).doesNotContain(accessionB);
    String byB = findStudies("US_B", "AccessionNumber=" + run + "*");
    assertThat(byB).contains(studyB).doesNotContain(studyA).doesNotContain(accessionA);
    // naming the other centre's study does not find it either
    // (findscu prints the request, so the answer is judged by its pending responses)
    assertThat(findStudies("CT_A", "StudyInstanceUID=" + studyB)).doesNotContain("Pending").doesNotContain(accessionB);
    assertThat(findStudies("CT_A", "StudyInstanceUID=" + studyA)).contains("Pending").contains(accessionA);
    Run series = dcmtk(List.of("findscu", "-v", "-S", "-aet", "US_B", "-aec", "RADBRIDGE",
        "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + studyA, "-k", "SeriesInstanceUID",
        "127.0.0.1", String.valueOf(listener.port())));
    assertThat(series.output()).as(series.output()).contains("Received Final Find Response (Success)")
        .doesNotContain("Pending");
    // universal: centre A's station never sees centre B's study among all it may see
    assertThat(findStudies("CT_A")).contains(studyA).doesNotContain(studyB);

    // the reading hospital sees the study of the order routed to it, not centre B's
    String byCity = findStudies("CITY_PACS", "AccessionNumber=" + run + "*");
    assertThat(byCity).contains(studyA).doesNotContain(studyB);
    // north-hospital reads neither
    assertThat(findStudies("NORTH_PACS", "AccessionNumber=" + run + "*")).doesNotContain(studyA).doesNotContain(studyB);
    // the regional exchange reads across the network
    assertThat(findStudies("EXCHANGE_Q", "AccessionNumber=" + run + "*")).contains(studyA).contains(studyB);
  }

  @Test
  void aStudyNotAssembledYetIsVisibleToTheSendersOrganisationOnly() throws Exception {
    String accession = "SU" + System.nanoTime() % 1_000_000_000L;
    Path b = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession);
    String studyB = TestDicomFiles.tag(b, "0020,000d");
    TestDicomFiles.Dataset d = TestDicomFiles.dataset(b);
    // stored as a C-STORE from US_B stores it, without the association that would assemble the study
    assertThat(storage.store("US_B", "centre-b", TestDicomFiles.tag(b, "0008,0016"), TestDicomFiles.tag(b, "0008,0018"),
        d.transferSyntax(), d.bytes()).isSuccess()).isTrue();
    assertThat(count("SELECT count(*) FROM resource r JOIN idx_token t ON t.res_pk = r.res_pk"
        + " WHERE t.res_type = 'ImagingStudy' AND t.param = 'identifier' AND t.code = ?", "urn:oid:" + studyB)).isZero();

    try {
      assertThat(findStudies("US_B", "AccessionNumber=" + accession)).contains(studyB);
      assertThat(findStudies("CT_A", "AccessionNumber=" + accession)).doesNotContain(studyB).doesNotContain("Pending");
      assertThat(findStudies("CITY_PACS", "AccessionNumber=" + accession)).doesNotContain(studyB);
      assertThat(findStudies("EXCHANGE_Q", "AccessionNumber=" + accession)).contains(studyB);
    } finally {
      studies.syncNow(studyB); // leaves no unsynced study for nodes that start later on this database
    }
    awaitImagingStudy(studyB);
    // now its ImagingStudy's readers decide: still centre B's
    assertThat(findStudies("US_B", "AccessionNumber=" + accession)).contains(studyB);
    assertThat(findStudies("CT_A", "AccessionNumber=" + accession)).doesNotContain("Pending");
  }
}
