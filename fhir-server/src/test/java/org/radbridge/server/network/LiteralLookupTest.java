package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.dicom.DicomListener;
import org.radbridge.server.dicom.TestDicomFiles;
import org.radbridge.server.hl7v2.MllpListener;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Field values are data, never query syntax: an OBR-18, ORC-2/OBR-2, PID-3 or MRG-1 over MLLP, and a
 * DICOM PatientID, AccessionNumber or calling AE title over DCMTK, holding a character that means
 * something in a FHIR search or a URL (, & | % + \ $) match only the identical value, and the order,
 * patient or station whose name follows that character is untouched, field by field.
 */
class LiteralLookupTest extends ServerTestBase {
  private static final String ACCESSION_SYSTEM = "https://radbridge.org/fhir/sid/centre-a/accession";
  private static final String MRN_SYSTEM = "https://radbridge.org/fhir/sid/centre-a/mrn";

  @Autowired
  MllpListener listener;
  @Autowired
  DicomListener dicom;
  @TempDir
  Path tmp;
  private org.radbridge.server.hl7v2.MllpClient mllp;

  @BeforeEach
  void connect() throws Exception {
    awaitConformanceReady();
    mllp = new org.radbridge.server.hl7v2.MllpClient(listener.port());
  }

  @AfterEach
  void close() throws Exception {
    mllp.close();
  }

  private Message send(String text) throws Exception {
    return mllp.send(text);
  }

  private static String msa1(Message ack) throws Exception {
    return org.radbridge.server.hl7v2.MllpClient.msa1(ack);
  }


  /** The HL7 v2 escape of a value (the sender's job): after parsing, the field holds {@code value} itself. */
  private static String v2(String value) {
    return value.replace("\\", "\\E\\").replace("|", "\\F\\").replace("&", "\\T\\").replace("^", "\\S\\")
        .replace("~", "\\R\\");
  }

  /** The FHIR search escape of a token value (the REST client's job). */
  private static String fhir(String value) {
    return value.replace("\\", "\\\\").replace("|", "\\|").replace(",", "\\,").replace("$", "\\$");
  }

  private static String orm(String control, String controlId, String pid3, String placer, String accession) {
    return String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261120091200||ORM^O01|" + controlId + "|P|2.3.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + pid3 + "^^^CENTRE_A_MRN^MR||Li^Na||19800101|F",
        "ORC|" + control + "|" + placer + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|" + placer + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession);
  }

  private record Snapshot(String id, String version, String status, String subject, String json) {}

  private Snapshot order(String accession) {
    JsonPath p = json().queryParam("identifier", ACCESSION_SYSTEM + "|" + fhir(accession)).get("/ServiceRequest")
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getList("entry")).as("orders with accession " + accession).hasSize(1);
    return new Snapshot(p.getString("entry[0].resource.id"), p.getString("entry[0].resource.meta.versionId"),
        p.getString("entry[0].resource.status"), p.getString("entry[0].resource.subject.reference"),
        json().get("/ServiceRequest/" + p.getString("entry[0].resource.id")).asString());
  }

  private Snapshot patient(String mrn) {
    JsonPath p = json().queryParam("identifier", MRN_SYSTEM + "|" + fhir(mrn)).get("/Patient")
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getList("entry")).as("patients with MRN " + mrn).hasSize(1);
    String id = p.getString("entry[0].resource.id");
    return new Snapshot(id, p.getString("entry[0].resource.meta.versionId"),
        p.getString("entry[0].resource.active"), null, json().get("/Patient/" + id).asString());
  }

  @ParameterizedTest(name = "a ''{0}'' in a field matches only the identical value")
  @ValueSource(strings = {",", "&", "|", "%", "+", "\\", "%2C", "$"})
  void aSpecialCharacterInAFieldMatchesOnlyTheIdenticalValue(String c) throws Exception {
    String n = suffix();
    String accession = "A" + n;
    String mrn = "M" + n;
    String placer = "PL" + n;
    assertThat(msa1(send(orm("NW", "LL" + n, mrn, placer, accession)))).isEqualTo("AA");
    Snapshot orderBefore = order(accession);
    Snapshot patientBefore = patient(mrn);

    // OBR-18 "X<c><accession>" with ORC-1 CA names no order (the placer number is another's too):
    // answered AE 204, and this order is not cancelled
    String wideAccession = "X" + c + accession;
    Message cancel = send(orm("CA", "LLC" + n, "Q" + n, "PQ" + n, v2(wideAccession)));
    assertThat(msa1(cancel)).as(cancel.encode()).isEqualTo("AE");
    assertThat(new ca.uhn.hl7v2.util.Terser(cancel).get("/ERR-3-1")).isEqualTo("204");
    assertThat(json().queryParam("identifier", ACCESSION_SYSTEM + "|" + fhir(wideAccession)).get("/ServiceRequest")
        .jsonPath().getList("entry")).isNullOrEmpty();
    assertThat(order(accession)).isEqualTo(orderBefore);

    // PID-3 "X<c><mrn>": a patient of its own, not this one
    String wideMrn = "X" + c + mrn;
    assertThat(msa1(send(orm("NW", "LLP" + n, v2(wideMrn), "PP" + n, "B" + n)))).isEqualTo("AA");
    Snapshot newPatient = patient(wideMrn);
    assertThat(newPatient.id()).isNotEqualTo(patientBefore.id());
    assertThat(order("B" + n).subject()).isEqualTo("Patient/" + newPatient.id());

    // MRG-1 "X<c><mrn>" merges the patient of that literal MRN into the survivor, not this one
    Message merge = send(String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261205140000||ADT^A40^ADT_A39|LLM" + n + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "EVN|A40|20261205140000",
        "PID|1||S" + n + "^^^CENTRE_A_MRN^MR||Wang^Xiu||19610417|F",
        "MRG|" + v2(wideMrn) + "^^^CENTRE_A_MRN^MR"));
    assertThat(msa1(merge)).as(merge.encode()).isEqualTo("AA");
    JsonPath merged = JsonPath.from(patient(wideMrn).json());
    assertThat(merged.getBoolean("active")).isFalse();
    assertThat(merged.getString("link[0].type")).isEqualTo("replaced-by");
    // and "Y<c><mrn>", which no patient has: AE naming the unknown key
    Message unknown = send(String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261205140000||ADT^A40^ADT_A39|LLN" + n + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "EVN|A40|20261205140000",
        "PID|1||S" + n + "^^^CENTRE_A_MRN^MR||Wang^Xiu||19610417|F",
        "MRG|" + v2("Y" + c + mrn) + "^^^CENTRE_A_MRN^MR"));
    assertThat(msa1(unknown)).as(unknown.encode()).isEqualTo("AE");
    assertThat(new Terser(unknown).get("/ERR-3-1")).isEqualTo("204");

    // OBR-2/ORC-2 placer "X<c><placer>" in a report without accession: AE, no report on this order
    Message report = send(String.join("\r",
        "MSH|^~\\&|RIS_CITY|CITY_HOSP|RADBRIDGE|NETWORK|20261120100500||ORU^R01|LLR" + n + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + mrn + "^^^CENTRE_A_MRN||Li^Na",
        "ORC|RE|" + v2("X" + c + placer) + "^HIS_A",
        "OBR|1|" + v2("X" + c + placer) + "^HIS_A||CT-HEAD^CT head^L|||20261120094011|||||||||||||||20261120100500|||F",
        "OBX|1|TX|REPORT^Report||No acute findings.||||||F"));
    assertThat(msa1(report)).as(report.encode()).isEqualTo("AE");
    assertThat(report.encode()).contains("matches no order");

    // the order and the patient are as they were, field by field
    Snapshot orderAfter = order(accession);
    assertThat(orderAfter).isEqualTo(orderBefore);
    assertThat(orderAfter.status()).isEqualTo("active");
    assertThat(patient(mrn)).isEqualTo(patientBefore);
    JsonPath p = JsonPath.from(patient(mrn).json());
    assertThat(p.getList("link")).isNullOrEmpty();
    List<Object> reports = json().queryParam("based-on", "ServiceRequest/" + orderBefore.id()).get("/DiagnosticReport")
        .jsonPath().getList("entry");
    assertThat(reports).isNullOrEmpty();
  }

  @ParameterizedTest(name = "a ''{0}'' in PatientID and AccessionNumber matches only the identical value")
  @ValueSource(strings = {",", "&", "|", "%", "+", "\\", "$"})
  void aSpecialCharacterInADicomIdentifierMatchesOnlyTheIdenticalValue(String c) throws Exception {
    String n = suffix();
    String accession = "D" + n;
    String mrn = "E" + n;
    assertThat(msa1(send(orm("NW", "LD" + n, mrn, "PD" + n, accession)))).isEqualTo("AA");
    Snapshot orderBefore = order(accession);
    Snapshot patientBefore = patient(mrn);

    Path file = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0010,0020)=X" + c + mrn,
        "(0008,0050)=X" + c + accession);
    String studyUid = TestDicomFiles.tag(file, "0020,000d");
    Run sent = dcmtk("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom.port()),
        file.toString());
    assertThat(sent.exit()).as(sent.output()).isZero();
    JsonPath study = awaitStudy(studyUid);
    assertThat(study.getString("subject.reference")).isNotEqualTo("Patient/" + patientBefore.id());
    List<String> basedOn = study.getList("basedOn.reference");
    assertThat(basedOn == null ? List.<String>of() : basedOn).doesNotContain("ServiceRequest/" + orderBefore.id());
    if (!"\\".equals(c)) { // a backslash separates DICOM values: there the field holds two values
      // kept as sent: the study's patient and accession carry the literal values
      assertThat(json().get("/" + study.getString("subject.reference")).jsonPath().getString("identifier[0].value"))
          .isEqualTo("X" + c + mrn);
      assertThat(study.getString("identifier.find { it.type != null }.value")).isEqualTo("X" + c + accession);
    }
    assertThat(order(accession)).isEqualTo(orderBefore);
    assertThat(patient(mrn)).isEqualTo(patientBefore);
  }

  @ParameterizedTest(name = "calling AE title ''X{0}CT_A'' is not station CT_A")
  @ValueSource(strings = {",", "&", "|", "%", "+", "$"})
  void aCallingAeTitleWithASpecialCharacterIsNotAnotherStation(String c) throws Exception {
    Run echo = dcmtk("echoscu", "-v", "-aet", "X" + c + "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(dicom.port()));
    assertThat(echo.exit()).as(echo.output()).isNotZero();
    assertThat(echo.output()).contains("Calling AE Title Not Recognized");
    Run known = dcmtk("echoscu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom.port()));
    assertThat(known.exit()).as(known.output()).isZero();
  }

  private record Run(int exit, String output) {}

  private static Run dcmtk(String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  private JsonPath awaitStudy(String studyUid) {
    String[] id = new String[1];
    org.radbridge.server.Await.until("an ImagingStudy for " + studyUid, java.time.Duration.ofSeconds(15), () -> {
      List<String> ids = json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
          .then().statusCode(200).extract().jsonPath().getList("entry.resource.id");
      id[0] = ids == null || ids.isEmpty() ? null : ids.get(0);
      return id[0] != null;
    });
    return JsonPath.from(json().get("/ImagingStudy/" + id[0]).asString());
  }

  private static String suffix() {
    return String.valueOf(System.nanoTime() % 10_000_000_000L);
  }
}
