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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** ORM^O01 over real MLLP (HAPI's client) to the running server. */
class OrderMessageTest extends ServerTestBase {
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
    connection = hapi.newClient("127.0.0.1", listener.port(), false);
  }

  @AfterEach
  void close() throws Exception {
    connection.close();
    hapi.close();
  }

  private Message send(String... segments) throws Exception {
    Message msg = hapi.getPipeParser().parse(String.join("\r", segments));
    return connection.getInitiator().sendAndReceive(msg);
  }

  private static String msa1(Message ack) throws Exception {
    return new Terser(ack).get("/MSA-1");
  }

  private static String orm(String controlId, String mrn, String accession, String pid3) {
    return String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261120091200||ORM^O01|" + controlId + "|P|2.3.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + pid3 + "||张^伟||19610417|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^S|||||D0042^Wang^Li",
        "OBR|1|PL-" + accession + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession + "||||||||||||^Persistent headache");
  }

  @Test
  void anOrderBecomesAValidatedRoutedServiceRequest() throws Exception {
    String accession = "H" + System.nanoTime() % 1_000_000_000L;
    String mrn = "MRN" + System.nanoTime() % 1_000_000L;
    Message ack = send(orm("C" + accession, mrn, accession, mrn + "^^^CENTRE_A_MRN^MR").split("\r"));
    assertThat(msa1(ack)).as(ack.encode()).isEqualTo("AA");

    JsonPath sr = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().statusCode(200).extract().jsonPath();
    assertThat(sr.getString("entry[0].resource.status")).isEqualTo("active");
    assertThat(sr.getString("entry[0].resource.priority")).isEqualTo("stat");
    assertThat(sr.getList("entry[0].resource.code.coding.code")).containsExactly("CT-HEAD-P", "30799-1");
    assertThat(sr.getString("entry[0].resource.requester.display")).isEqualTo("Li Wang");
    assertThat(sr.getString("entry[0].resource.performer.find { it.reference.startsWith('Organization') }.reference"))
        .isEqualTo("Organization/org-north-hospital"); // stat: routing rule 1
    String patient = sr.getString("entry[0].resource.subject.reference");
    json().get("/" + patient).then().statusCode(200)
        .body("identifier[0].system", equalTo("https://radbridge.org/fhir/sid/centre-a/mrn"))
        .body("identifier[0].value", equalTo(mrn)).body("name[0].family", equalTo("张"))
        .body("birthDate", equalTo("1961-04-17")).body("gender", equalTo("male"));
  }

  @Test
  void theSameMessageAgainGetsTheSameAckAndWritesNothing() throws Exception {
    String accession = "D" + System.nanoTime() % 1_000_000_000L;
    String message = orm("DUP" + accession, "M1", accession, "M1" + accession + "^^^CENTRE_A_MRN");
    Message first = send(message.split("\r"));
    assertThat(msa1(first)).isEqualTo("AA");
    String version = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").jsonPath().getString("entry[0].resource.meta.versionId");
    Message again = send(message.split("\r"));
    assertThat(again.encode()).isEqualTo(first.encode());
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().body("entry.size()", equalTo(1))
        .body("entry[0].resource.meta.versionId", equalTo(version));
    // the same control id from another sender is another message: processed, not answered from the log
    // (centre-b has no ConceptMap: its local code is kept untranslated and the order flagged for it)
    // (its own patient: an HIS orders only for its own organisation's patients)
    Message other = send(message.replace("|HIS_A|CENTRE_A|", "|HIS_B|CENTRE_B|").replace("^^^CENTRE_A_MRN", "")
        .split("\r"));
    assertThat(msa1(other)).isEqualTo("AA");
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-b/accession|" + accession)
        .get("/ServiceRequest").then().body("entry.size()", equalTo(1))
        .body("entry[0].resource.meta.tag.code", org.hamcrest.Matchers.hasItem("unmapped-code"));
  }

  private static String oru(String controlId, String accession, String status, String interpreter, String... text) {
    StringBuilder m = new StringBuilder(String.join("\r",
        // the orders here are stat: routed to north-hospital, whose RIS reports them
        "MSH|^~\\&|RIS_NORTH|NORTH_HOSP|RADBRIDGE|NETWORK|20261120100500||ORU^R01|" + controlId + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||MRN1^^^CENTRE_A_MRN||张^伟",
        "OBR|1|PL-" + accession + "||CT-HEAD^CT head^L|||20261120094011|||||||||||" + accession
            + "||||20261120100500|||" + status + "|||||||" + interpreter));
    for (int i = 0; i < text.length; i++) {
      m.append("\rOBX|").append(i + 1).append("|TX|REPORT^Report||").append(text[i]).append("||||||").append(status);
    }
    return m.toString();
  }

  @Test
  void reportsComeBackAsDiagnosticReportsAndTheTaskFollows() throws Exception {
    String accession = "R" + System.nanoTime() % 1_000_000_000L;
    assertThat(msa1(send(orm("O" + accession, "M", accession, "M" + accession + "^^^CENTRE_A_MRN").split("\r"))))
        .isEqualTo("AA");
    JsonPath sr = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").jsonPath();
    String order = sr.getString("entry[0].resource.id");
    String subject = sr.getString("entry[0].resource.subject.reference");
    String study = json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(subject, order))
        .post("/ImagingStudy").then().statusCode(201).extract().path("id");

    Message prelim = send(oru("P" + accession, accession, "P", "", "Preliminary: no bleed").split("\r"));
    assertThat(msa1(prelim)).as(prelim.encode()).isEqualTo("AA");
    json().get("/Task/order-" + order).then().body("businessStatus.text", equalTo("preliminary report"));

    Message fin = send(oru("F" + accession, accession, "F", "R0007&Chen&Mei",
        "No acute intracranial haemorrhage.\\.br\\No skull fracture.", "Impression: normal CT head.").split("\r"));
    assertThat(msa1(fin)).as(fin.encode()).isEqualTo("AA");
    JsonPath dr = json().queryParam("based-on", "ServiceRequest/" + order).get("/DiagnosticReport").jsonPath();
    assertThat(dr.getList("entry")).hasSize(1);
    assertThat(dr.getString("entry[0].resource.status")).isEqualTo("final");
    assertThat(dr.getString("entry[0].resource.meta.versionId")).isEqualTo("2");
    assertThat(dr.getString("entry[0].resource.conclusion"))
        .isEqualTo("No acute intracranial haemorrhage.\nNo skull fracture.\nImpression: normal CT head.");
    assertThat(dr.getString("entry[0].resource.resultsInterpreter[0].display")).isEqualTo("Mei Chen");
    assertThat(dr.getString("entry[0].resource.imagingStudy[0].reference")).isEqualTo("ImagingStudy/" + study);
    assertThat(dr.getString("entry[0].resource.subject.reference")).isEqualTo(subject);
    assertThat(dr.getString("entry[0].resource.effectiveDateTime")).startsWith("2026-11-20");
    json().get("/Task/order-" + order).then().body("status", equalTo("completed"))
        .body("businessStatus.text", equalTo("final report"));

    Message unknown = send(oru("U" + accession, "NOPE" + accession, "F", "", "x").split("\r"));
    assertThat(msa1(unknown)).isEqualTo("AE");
    assertThat(unknown.encode()).contains("matches no order");
  }

  @Test
  void anAdtUpdateChangesTheDemographicsOfThePatientItIdentifies() throws Exception {
    String accession = "A" + System.nanoTime() % 1_000_000_000L;
    String mrn = "P" + accession;
    assertThat(msa1(send(orm("O" + accession, mrn, accession, mrn + "^^^CENTRE_A_MRN").split("\r")))).isEqualTo("AA");
    String patient = json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/mrn|" + mrn)
        .get("/Patient").jsonPath().getString("entry[0].resource.id");
    Message ack = send("MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261121080000||ADT^A08^ADT_A01|U" + accession
        + "|P|2.5.1|||||CHN|UNICODE UTF-8", "EVN|A08|20261121080000",
        "PID|1||" + mrn + "^^^CENTRE_A_MRN||张^伟明||19610418|M");
    assertThat(msa1(ack)).as(ack.encode()).isEqualTo("AA");
    json().get("/Patient/" + patient).then().body("name[0].given[0]", equalTo("伟明"))
        .body("birthDate", equalTo("1961-04-18")).body("meta.versionId", equalTo("2"))
        .body("identifier[0].value", equalTo(mrn));
  }

  @Test
  void contentErrorsAreAcknowledgedAeAndUnsupportedTypesAr() throws Exception {
    String accession = "E" + System.nanoTime() % 1_000_000_000L;
    Message noPid = send(orm("N" + accession, "", accession, "").split("\r"));
    assertThat(msa1(noPid)).isEqualTo("AE");
    assertThat(noPid.encode()).contains("PID-3");
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().body("entry", org.hamcrest.Matchers.nullValue());

    Message adt = send("MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261120091200||ADT^A01|A" + accession + "|P|2.5.1",
        "EVN|A01|20261120091200", "PID|1||X1^^^CENTRE_A_MRN||Li^Lei");
    assertThat(msa1(adt)).isEqualTo("AR");
  }
}
