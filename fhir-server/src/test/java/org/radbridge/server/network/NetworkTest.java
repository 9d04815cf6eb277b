package org.radbridge.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** The network model: configuration as resources, identity systems, routing, the order's Task. */
class NetworkTest extends ServerTestBase {
  private static final String CENTRE_A_ACC = "https://radbridge.org/fhir/sid/centre-a/accession";

  @Autowired
  NetworkSeeder seeder;
  @Autowired
  IdentitySystems identity;
  @Autowired
  NetworkDirectory directory;
  @Autowired
  PatientIdentity patients;

  @Test
  void theDirectoryReadsPeersAsStoredSoRestEditsTakeEffect() {
    assertThat(directory.dicomNode("CITY_PACS")).hasValueSatisfying(n -> {
      assertThat(n.host()).isEqualTo("127.0.0.1");
      assertThat(n.port()).isEqualTo(11201);
      assertThat(n.role()).isEqualTo("pacs");
      assertThat(n.organization()).isEqualTo("Organization/org-city-hospital");
    });
    assertThat(directory.pacsOf("Organization/org-city-hospital")).map(NetworkDirectory.DicomNode::aeTitle)
        .contains("CITY_PACS");
    assertThat(directory.hl7EndpointOf("Organization/org-centre-a")).contains("127.0.0.1:" + receivers().centreHis().port());
    assertThat(directory.dicomNode("NOBODY")).isEmpty();

    String original = json().get("/Endpoint/dicom-CT-A").asString();
    String moved = original.replace("@127.0.0.1:11200", "@127.0.0.1:11299");
    json().body(moved).put("/Endpoint/dicom-CT-A").then().statusCode(200);
    assertThat(directory.dicomNode("CT_A")).map(NetworkDirectory.DicomNode::port).contains(11299);
    String off = json().get("/Endpoint/dicom-CT-A").asString().replace("\"status\":\"active\"", "\"status\":\"off\"");
    json().body(off).put("/Endpoint/dicom-CT-A").then().statusCode(200);
    assertThat(directory.dicomNode("CT_A")).isEmpty();
    json().body(original).put("/Endpoint/dicom-CT-A").then().statusCode(200); // as other tests expect it
  }

  @Autowired
  PatientMapping mapping;
  private static final org.radbridge.server.write.Caller CALLER = org.radbridge.server.write.Caller.system("test");
  @Autowired
  org.radbridge.server.hl7v2.MllpListener mllp;

  @Test
  void anHl7ApplicationIsKnownByItsStoredDeviceAndARestEditTakesEffectAtOnce() throws Exception {
    String id = "/Device/hl7app-HIS-B-CENTRE-B";
    String original = json().get(id).then().statusCode(200)
        .body("identifier.find { it.system == 'urn:hl7v2:application' }.value", equalTo("HIS_B^CENTRE_B"))
        .body("extension.find { it.url == '" + NetworkResources.SOURCE_ADDRESS + "' }.valueString", equalTo("127.0.0.1"))
        .body("owner.reference", equalTo("Organization/org-centre-b")).extract().asString();
    String adt = String.join("\r",
        "MSH|^~\\&|HIS_B|CENTRE_B|RADBRIDGE|NETWORK|20261205140000||ADT^A08|%s|P|2.3.1",
        "EVN|A08|20261205140000", "PID|1||" + unique("B") + "||Zhou^Min||19900101|F");
    try (org.radbridge.server.hl7v2.MllpClient c = new org.radbridge.server.hl7v2.MllpClient(mllp.port())) {
      json().body(original.replace("\"status\":\"active\"", "\"status\":\"inactive\"")).put(id).then().statusCode(200);
      ca.uhn.hl7v2.model.Message refused = c.send(adt.formatted(unique("OFF")));
      assertThat(org.radbridge.server.hl7v2.MllpClient.msa1(refused)).isEqualTo("AE");
      assertThat(refused.encode()).contains("is not an HL7 application of the network");
      json().body(original).put(id).then().statusCode(200);
      assertThat(org.radbridge.server.hl7v2.MllpClient.msa1(c.send(adt.formatted(unique("ON"))))).isEqualTo("AA");
      // its source addresses are the Device's too: moved elsewhere, a message from 127.0.0.1 is refused AR
      String moved = original.replace("\"valueString\":\"127.0.0.1\"", "\"valueString\":\"10.9.0.0/16\"");
      assertThat(moved).contains("10.9.0.0/16");
      json().body(moved).put(id).then().statusCode(200);
      ca.uhn.hl7v2.model.Message elsewhere = c.send(adt.formatted(unique("ADDR")));
      assertThat(org.radbridge.server.hl7v2.MllpClient.msa1(elsewhere)).isEqualTo("AR");
      assertThat(elsewhere.encode()).contains("not one that sends from 127.0.0.1");
      json().body(original).put(id).then().statusCode(200);
      assertThat(org.radbridge.server.hl7v2.MllpClient.msa1(c.send(adt.formatted(unique("BACK"))))).isEqualTo("AA");
    } finally {
      json().body(original).put(id); // as other tests expect it
    }
  }

  @Test
  void aClientCertificateExtensionThatNamesNoCertificateIsRefused() {
    String device = """
        {"resourceType":"Device","status":"active","identifier":[{"system":"urn:hl7v2:application","value":"%s^X"}],
         "extension":[{"url":"https://radbridge.org/fhir/StructureDefinition/client-certificate","valueString":"%s"}]}""";
    json().body(device.formatted(unique("CC"), "ris.crt")).post("/Device").then().statusCode(422)
        .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("client-certificate"));
    json().body(device.formatted(unique("CC"), "O=City Hospital,CN=RIS_CITY")).post("/Device").then().statusCode(201);
    // as openssl x509 -subject prints it (X.509 order): the same check as the Endpoint's peer-certificate
    json().body(device.formatted(unique("CC"), "subject=CN = RIS_CITY, O = City Hospital")).post("/Device").then()
        .statusCode(201);
  }

  @Test
  void patientIdentityResolvesOnePatientPerIssuerAndValue() {
    String mrn = unique("777");
    // an instance from centre-b whose Issuer of Patient ID is centre-a's MRN issuer
    String viaDicom = patients.resolve(mapping.fromDicom(new org.radbridge.mappers.dicom.DicomInstance(
        "1.2.3", "1.2.3.1", "1.2.3.1.1", "1.2.840.10008.5.1.4.1.1.2", null, null, "CT", null, null, null, null, null,
        null, null, null, null, null, mrn, "CENTRE_A_MRN", "Li^Na", "19800101", "F", null), "centre-b"), CALLER);
    String viaHl7 = patients.resolve(mapping.fromHl7(
        new org.radbridge.mappers.hl7v2.OrmMapper.PatientData(mrn, null, "Li", "Na", "19800101", "F"), "centre-a"), CALLER);
    String otherCentre = patients.resolve(mapping.fromHl7(
        new org.radbridge.mappers.hl7v2.OrmMapper.PatientData(mrn, null, "Li", "Na", "19800101", "F"), "centre-b"), CALLER);
    assertThat(viaHl7).isEqualTo(viaDicom);
    assertThat(otherCentre).isNotEqualTo(viaDicom);
    assertThat(patient("https://radbridge.org/fhir/sid/centre-a/mrn", mrn)).isEqualTo(viaDicom);
  }

  @Test
  void configurationIsStoredAsOrganizationEndpointAndDevice() {
    json().get("/Organization/org-centre-a").then().statusCode(200)
        .body("name", equalTo("Centre A Community Health Centre"))
        .body("type[0].coding[0].code", equalTo("community-centre"))
        .body("identifier[0].value", equalTo("centre-a"))
        .body("address[0].district", equalTo("north"));
    json().get("/Endpoint/dicom-CT-A").then().statusCode(200)
        .body("connectionType.system", equalTo("https://radbridge.org/fhir/CodeSystem/endpoint-connection-type"))
        .body("connectionType.code", equalTo("dicom-dimse"))
        .body("address", equalTo("dicom://CT_A@127.0.0.1:11200"))
        .body("managingOrganization.reference", equalTo("Organization/org-centre-a"));
    json().get("/Device/station-CT-A").then().statusCode(200)
        .body("identifier[0].system", equalTo("urn:dicom:ae")).body("identifier[0].value", equalTo("CT_A"))
        .body("type.coding[0].code", equalTo("CT"));
    json().get("/Endpoint/hl7-HIS-A-CENTRE-A").then().statusCode(200)
        .body("connectionType.code", equalTo("hl7v2-mllp")).body("address", equalTo("mllp://127.0.0.1:" + receivers().centreHis().port()));
    json().queryParam("identifier", "urn:dicom:ae|CITY_PACS").get("/Endpoint").then().statusCode(200)
        .body("entry[0].resource.id", equalTo("dicom-CITY-PACS"));
  }

  @Test
  void aRestEditLastsUntilTheConfigurationOfThatResourceChanges() {
    Response org = json().get("/Organization/org-centre-b");
    String edited = org.asString().replaceFirst("\"name\":\"[^\"]*\"", "\"name\":\"Centre B (renamed by REST)\"");
    json().body(edited).put("/Organization/org-centre-b").then().statusCode(200);
    seeder.seed(); // as at the next start, configuration unchanged
    json().get("/Organization/org-centre-b").then().body("name", equalTo("Centre B (renamed by REST)"));
  }

  @Test
  void identifierSystemsAreScopedByIssuer() {
    assertThat(identity.patientIdSystem("centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-b/mrn");
    assertThat(identity.accessionSystem("centre-a")).isEqualTo(CENTRE_A_ACC);
    assertThat(identity.patientIdSystem("CENTRE_A_MRN", "centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-a/mrn");
    assertThat(identity.patientIdSystem("UNKNOWN_ISSUER", "centre-b")).isEqualTo("https://radbridge.org/fhir/sid/centre-b/mrn");
    assertThat(identity.orgOfAccessionSystem(CENTRE_A_ACC)).contains("centre-a");

    // the same MRN from two centres is two patients; the same MRN of one centre is one
    String mrn = unique("123");
    String a = patient(identity.patientIdSystem("centre-a"), mrn);
    String again = patient(identity.patientIdSystem("CENTRE_A_MRN", "centre-b"), mrn);
    String b = patient(identity.patientIdSystem("centre-b"), mrn);
    assertThat(again).isEqualTo(a);
    assertThat(b).isNotEqualTo(a);
  }

  private String patient(String system, String value) {
    return json().header("If-None-Exist", "identifier=" + system + "|" + value)
        .body("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + system + "\",\"value\":\"" + value + "\"}]}")
        .post("/Patient").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).extract().path("id");
  }

  private static String order(String accession, String loinc, String priority, String status, String extra) {
    return """
        {"resourceType":"ServiceRequest","status":"%s","intent":"order","priority":"%s",
         "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"ACSN"}]},
           "system":"%s","value":"%s"}],
         "code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},
         "subject":{"reference":"Patient/p1"},"requester":{"reference":"Practitioner/d1"}%s}"""
        .formatted(status, priority, CENTRE_A_ACC, accession, loinc, extra);
  }

  private JsonPath create(String body) {
    return json().body(body).post("/ServiceRequest").then().statusCode(201).extract().jsonPath();
  }

  @Test
  void activeOrdersAreRoutedByTheRulesThenTheDefault() {
    // MR (from the LOINC code's modality property) from centre-a: rule 0
    assertThat(create(order(unique("A"), "24590-2", "routine", "active", "")).getString("performer[0].reference"))
        .isEqualTo("Organization/org-north-hospital");
    // stat: rule 1
    assertThat(create(order(unique("A"), "30799-1", "stat", "active", "")).getString("performer[0].reference"))
        .isEqualTo("Organization/org-north-hospital");
    // CT routine: the default
    assertThat(create(order(unique("A"), "30799-1", "routine", "active", "")).getString("performer[0].reference"))
        .isEqualTo("Organization/org-city-hospital");
    // performerType beats the procedure code's modality
    String mrByType = order(unique("A"), "30799-1", "routine", "active",
        ",\"performerType\":{\"coding\":[{\"system\":\"http://dicom.nema.org/resources/ontology/DCM\",\"code\":\"MR\"}]}");
    assertThat(create(mrByType).getString("performer[0].reference")).isEqualTo("Organization/org-north-hospital");
    // the worklist's modality is written to performerType from the procedure code
    assertThat(create(order(unique("A"), "24590-2", "routine", "draft", "")).getString("performerType.coding[0].code"))
        .isEqualTo("MR");
    // a reading organisation already chosen is kept; a draft is not routed
    assertThat(create(order(unique("A"), "24590-2", "routine", "active",
        ",\"performer\":[{\"reference\":\"Organization/org-city-hospital\"}]")).getList("performer.reference"))
        .containsExactly("Organization/org-city-hospital");
    assertThat(create(order(unique("A"), "24590-2", "routine", "draft", "")).getList("performer")).isNull();
  }

  @Test
  void ordersGetDicomIdentifiersThatUpdatesKeep() {
    JsonPath sr = create(order(unique("A"), "30799-1", "routine", "active", ""));
    String id = sr.getString("id");
    String uid = sr.getString("identifier.find { it.system == 'urn:dicom:uid' }.value");
    assertThat(uid).matches("urn:oid:2\\.25\\.[0-9]+");
    assertThat(sr.getString("identifier.find { it.system == 'https://radbridge.org/fhir/sid/requested-procedure-id' }.value"))
        .hasSizeLessThanOrEqualTo(16);
    assertThat(sr.getString("identifier.find { it.system == 'https://radbridge.org/fhir/sid/sps-id' }.value")).isNotBlank();
    // an update that leaves the identifiers out keeps them
    String update = order("keep-" + id, "30799-1", "routine", "active", "").replaceFirst("\\{", "{\"id\":\"" + id + "\",");
    json().body(update).put("/ServiceRequest/" + id).then().statusCode(200)
        .body("identifier.find { it.system == 'urn:dicom:uid' }.value", equalTo(uid));
  }

  @Test
  void theTaskFollowsTheStudyAndTheReport() {
    String id = create(order(unique("A"), "30799-1", "routine", "active", "")).getString("id");
    String study = json().body("{\"resourceType\":\"ImagingStudy\",\"status\":\"available\","
        + "\"subject\":{\"reference\":\"Patient/p1\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + id + "\"}]}")
        .post("/ImagingStudy").then().statusCode(201).extract().path("id");
    json().get("/Task/order-" + id).then().body("status", equalTo("in-progress"))
        .body("businessStatus.text", equalTo("study available"));
    String report = "{\"resourceType\":\"DiagnosticReport\",\"status\":\"%s\",\"code\":{\"text\":\"CT head\"},"
        + "\"basedOn\":[{\"reference\":\"ServiceRequest/" + id + "\"}],"
        + "\"imagingStudy\":[{\"reference\":\"ImagingStudy/" + study + "\"}]}";
    json().body(report.formatted("preliminary")).post("/DiagnosticReport").then().statusCode(201);
    json().get("/Task/order-" + id).then().body("businessStatus.text", equalTo("preliminary report"));
    json().body(report.formatted("final")).post("/DiagnosticReport").then().statusCode(201);
    json().get("/Task/order-" + id).then().body("status", equalTo("completed"))
        .body("businessStatus.text", equalTo("final report"));
    // an update of the order keeps the progress
    String sr = json().get("/ServiceRequest/" + id).asString().replace("\"priority\":\"routine\"", "\"priority\":\"urgent\"");
    json().body(sr).put("/ServiceRequest/" + id).then().statusCode(200);
    json().get("/Task/order-" + id).then().body("status", equalTo("completed"))
        .body("businessStatus.text", equalTo("final report")).body("priority", equalTo("urgent"));
  }

  @Test
  void theOrdersTaskFollowsTheOrder() {
    JsonPath sr = create(order(unique("A"), "30799-1", "urgent", "active", ""));
    String id = sr.getString("id");
    json().get("/Task/order-" + id).then().statusCode(200)
        .body("status", equalTo("requested")).body("intent", equalTo("order"))
        .body("focus.reference", equalTo("ServiceRequest/" + id))
        .body("owner.reference", equalTo("Organization/org-city-hospital"))
        .body("priority", equalTo("urgent")).body("businessStatus.text", equalTo("routed"));
    json().queryParam("owner", "Organization/org-city-hospital").queryParam("focus", "ServiceRequest/" + id)
        .get("/Task").then().statusCode(200).body("entry.resource.id", hasItem("order-" + id));

    String revoked = json().get("/ServiceRequest/" + id).asString().replace("\"status\":\"active\"", "\"status\":\"revoked\"");
    json().body(revoked).put("/ServiceRequest/" + id).then().statusCode(200);
    json().get("/Task/order-" + id).then().body("status", equalTo("cancelled"))
        .body("meta.versionId", equalTo("2"));
  }
}
