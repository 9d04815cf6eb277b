package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.path.xml.XmlPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * Representation formats and the parameters/headers that shape a response: JSON and XML
 * ({@code _format}, Accept, Content-Type), {@code _pretty}, {@code _summary}, {@code _elements}
 * and {@code Prefer: return=}.
 */
class FormatTest extends ServerTestBase {
  private static final String FHIR_JSON = "application/fhir+json";
  private static final String FHIR_XML = "application/fhir+xml";
  private static final String SUBSETTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

  /**
   * A Patient with summary elements (identifier, active, name, gender, birthDate) and non-summary
   * ones (text, maritalStatus, photo, contact, communication) — R4 Patient, the Σ column.
   */
  private static String fullPatient(String family, String mrn) {
    return """
        {"resourceType":"Patient",
         "text":{"status":"generated","div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\">Narrative of %1$s</div>"},
         "identifier":[{"system":"urn:test:mrn","value":"%2$s"}],
         "active":true,
         "name":[{"family":"%1$s","given":["Ana"]}],
         "gender":"female","birthDate":"1980-05-17",
         "maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"M"}]},
         "photo":[{"contentType":"image/png","data":"iVBORw0KGgo="}],
         "contact":[{"name":{"family":"Contact-%1$s"}}],
         "communication":[{"language":{"text":"Portuguese"}}]}
        """.formatted(family, mrn);
  }

  private String createFull(String family) {
    return json().body(fullPatient(family, unique("mrn"))).post("/Patient")
        .then().statusCode(201).extract().jsonPath().getString("id");
  }

  private static String xmlPatient(String family, String mrn) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <Patient xmlns="http://hl7.org/fhir">
          <identifier><system value="urn:test:mrn"/><value value="%2$s"/></identifier>
          <name><family value="%1$s"/><given value="Bea"/></name>
          <gender value="female"/>
          <birthDate value="1975-02-03"/>
        </Patient>
        """.formatted(family, mrn);
  }

  // ---- JSON and XML ---------------------------------------------------------------------------

  @Test
  void createWithXmlBodyAndReadBackAsJson() {
    String family = unique("Xml");
    String mrn = unique("mrn");
    Response created = RestAssured.given().contentType(FHIR_XML + "; charset=UTF-8").accept(FHIR_JSON)
        .body(xmlPatient(family, mrn)).post("/Patient");
    created.then().statusCode(201)
        .contentType(startsWith(FHIR_JSON))
        .header("Location", matchesPattern(base() + "/Patient/[0-9a-f-]{36}/_history/1"))
        .body("resourceType", equalTo("Patient"))
        .body("name[0].family", equalTo(family))
        .body("identifier[0].value", equalTo(mrn));
    String id = created.jsonPath().getString("id");
    assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'Patient' AND res_id = ?", id)).isEqualTo(1);

    json().get("/Patient/" + id).then().statusCode(200)
        .contentType(startsWith(FHIR_JSON))
        .body("id", equalTo(id))
        .body("name[0].family", equalTo(family))
        .body("name[0].given[0]", equalTo("Bea"))
        .body("gender", equalTo("female"))
        .body("birthDate", equalTo("1975-02-03"))
        .body("identifier[0].system", equalTo("urn:test:mrn"));
  }

  @Test
  void xmlCreateWithXmlAcceptAnswersInXml() {
    String family = unique("XmlXml");
    Response created = RestAssured.given().contentType(FHIR_XML).accept(FHIR_XML)
        .body(xmlPatient(family, unique("mrn"))).post("/Patient");
    created.then().statusCode(201).contentType(startsWith(FHIR_XML));
    XmlPath xml = created.xmlPath();
    assertThat(xml.getString("Patient.name.family.@value")).isEqualTo(family);
    assertThat(xml.getString("Patient.meta.versionId.@value")).isEqualTo("1");
    assertThat(created.asString()).contains("<Patient xmlns=\"http://hl7.org/fhir\">");
  }

  @Test
  void readHonoursFormatParameterAndAcceptHeader() {
    String family = unique("Fmt");
    String id = createFull(family);
    String path = "/Patient/" + id;

    for (String format : new String[] {"xml", FHIR_XML, "application/xml"}) {
      Response r = RestAssured.given().queryParam("_format", format).get(path);
      r.then().statusCode(200).contentType(startsWith(FHIR_XML));
      assertThat(r.asString()).as("_format=" + format).startsWith("<Patient xmlns=\"http://hl7.org/fhir\">");
      XmlPath xml = r.xmlPath();
      assertThat(xml.getString("Patient.id.@value")).isEqualTo(id);
      assertThat(xml.getString("Patient.name.family.@value")).as("_format=" + format).isEqualTo(family);
      assertThat(xml.getString("Patient.birthDate.@value")).isEqualTo("1980-05-17");
    }

    for (String format : new String[] {"json", FHIR_JSON, "application/json"}) {
      RestAssured.given().queryParam("_format", format).get(path).then().statusCode(200)
          .contentType(startsWith(FHIR_JSON))
          .body("resourceType", equalTo("Patient"))
          .body("id", equalTo(id))
          .body("name[0].family", equalTo(family));
    }

    // Accept header alone
    Response viaAccept = RestAssured.given().accept(FHIR_XML).get(path);
    viaAccept.then().statusCode(200).contentType(startsWith(FHIR_XML));
    assertThat(viaAccept.xmlPath().getString("Patient.name.family.@value")).isEqualTo(family);
    RestAssured.given().accept(FHIR_JSON).get(path).then().statusCode(200)
        .contentType(startsWith(FHIR_JSON)).body("name[0].family", equalTo(family));

    // _format overrides Accept (R4 http.html: "_format ... overrides the Accept header")
    Response overridden = RestAssured.given().accept(FHIR_JSON).queryParam("_format", "xml").get(path);
    overridden.then().statusCode(200).contentType(startsWith(FHIR_XML));
    assertThat(overridden.xmlPath().getString("Patient.name.family.@value")).isEqualTo(family);

    // no Accept, no _format: the server default (JSON)
    RestAssured.given().get(path).then().statusCode(200).contentType(startsWith(FHIR_JSON))
        .body("name[0].family", equalTo(family));
  }

  @Test
  void errorsFollowTheRequestedFormatToo() {
    Response r = RestAssured.given().accept(FHIR_XML).get("/Patient/" + unique("missing"));
    r.then().statusCode(404).contentType(startsWith(FHIR_XML));
    assertThat(r.asString()).contains("<OperationOutcome xmlns=\"http://hl7.org/fhir\">");
    assertThat(r.xmlPath().getString("OperationOutcome.issue.severity.@value")).isEqualTo("error");
  }

  // ---- _pretty ----------------------------------------------------------------------------------

  @Test
  void prettyTrueIndentsAndPrettyFalseDoesNot() {
    String family = unique("Pretty");
    String id = createFull(family);
    String path = "/Patient/" + id;

    String prettyJson = RestAssured.given().queryParam("_pretty", "true").queryParam("_format", "json").get(path)
        .then().statusCode(200).extract().asString();
    assertThat(prettyJson).contains("\n").contains("\n  \"resourceType\": \"Patient\"");
    assertThat(JsonPath.from(prettyJson).getString("name[0].family")).isEqualTo(family);

    String compactJson = RestAssured.given().queryParam("_pretty", "false").queryParam("_format", "json").get(path)
        .then().statusCode(200).extract().asString();
    assertThat(compactJson.strip()).doesNotContain("\n").startsWith("{\"resourceType\":\"Patient\"");
    assertThat(JsonPath.from(compactJson).getString("name[0].family")).isEqualTo(family);

    String prettyXml = RestAssured.given().queryParam("_pretty", "true").queryParam("_format", "xml").get(path)
        .then().statusCode(200).extract().asString();
    assertThat(prettyXml).contains("\n   <");
    assertThat(XmlPath.from(prettyXml).getString("Patient.name.family.@value")).isEqualTo(family);

    String compactXml = RestAssured.given().queryParam("_pretty", "false").queryParam("_format", "xml").get(path)
        .then().statusCode(200).extract().asString();
    assertThat(compactXml.strip()).doesNotContain("\n");
    assertThat(XmlPath.from(compactXml).getString("Patient.name.family.@value")).isEqualTo(family);

    // the default is compact
    assertThat(json().get(path).then().statusCode(200).extract().asString().strip()).doesNotContain("\n");
  }

  // ---- _summary and _elements -------------------------------------------------------------------

  @Test
  void summaryTrueKeepsOnlySummaryElements() {
    String family = unique("Sum");
    String id = createFull(family);
    JsonPath p = json().queryParam("_summary", "true").get("/Patient/" + id)
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getString("resourceType")).isEqualTo("Patient");
    assertThat(p.getString("id")).isEqualTo(id);
    assertThat(p.getString("meta.versionId")).isEqualTo("1");
    // summary elements stay
    assertThat(p.getString("name[0].family")).isEqualTo(family);
    assertThat(p.getString("gender")).isEqualTo("female");
    assertThat(p.getString("birthDate")).isEqualTo("1980-05-17");
    assertThat(p.getString("identifier[0].system")).isEqualTo("urn:test:mrn");
    assertThat(p.getBoolean("active")).isTrue();
    // non-summary elements go, and so does the narrative
    assertThat(p.getMap("$")).doesNotContainKeys("maritalStatus", "photo", "contact", "communication", "text");
    assertSubsetted(p);
  }

  @Test
  void summaryTextKeepsNarrativeIdAndMetaOnly() {
    String family = unique("SumText");
    String id = createFull(family);
    JsonPath p = json().queryParam("_summary", "text").get("/Patient/" + id)
        .then().statusCode(200).contentType(startsWith(FHIR_JSON)).extract().jsonPath();
    assertThat(p.getString("id")).isEqualTo(id);
    assertThat(p.getString("meta.versionId")).isEqualTo("1");
    assertThat(p.getString("text.status")).isEqualTo("generated");
    assertThat(p.getString("text.div")).contains("Narrative of " + family);
    // Patient has no mandatory top-level elements, so nothing else is left
    assertThat(p.getMap("$")).doesNotContainKeys("name", "gender", "birthDate", "identifier", "active",
        "maritalStatus", "photo", "contact", "communication");
    assertSubsetted(p);
  }

  @Test
  void summaryDataDropsOnlyTheNarrative() {
    String family = unique("SumData");
    String id = createFull(family);
    JsonPath p = json().queryParam("_summary", "data").get("/Patient/" + id)
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getString("id")).isEqualTo(id);
    assertThat(p.getString("name[0].family")).isEqualTo(family);
    assertThat(p.getString("maritalStatus.coding[0].code")).isEqualTo("M");
    assertThat(p.getString("photo[0].contentType")).isEqualTo("image/png");
    assertThat(p.getString("contact[0].name.family")).isEqualTo("Contact-" + family);
    assertThat(p.getString("communication[0].language.text")).isEqualTo("Portuguese");
    assertThat(p.getMap("$")).doesNotContainKey("text");
    assertSubsetted(p);
  }

  @Test
  void summaryFalseReturnsEverythingUntagged() {
    String family = unique("SumFalse");
    String id = createFull(family);
    JsonPath p = json().queryParam("_summary", "false").get("/Patient/" + id)
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getMap("$")).containsKeys("text", "name", "maritalStatus", "photo", "contact", "communication");
    assertThat(p.getList("meta.tag.code")).isNullOrEmpty();
  }

  @Test
  void elementsNameKeepsOnlyNamePlusIdAndMeta() {
    String family = unique("Elem");
    String id = createFull(family);
    JsonPath p = json().queryParam("_elements", "name").get("/Patient/" + id)
        .then().statusCode(200).extract().jsonPath();
    assertThat(p.getString("resourceType")).isEqualTo("Patient");
    assertThat(p.getString("id")).isEqualTo(id);
    assertThat(p.getString("name[0].family")).isEqualTo(family);
    assertThat(p.getString("name[0].given[0]")).isEqualTo("Ana");
    assertThat(p.getMap("$").keySet()).containsExactlyInAnyOrder("resourceType", "id", "meta", "name");
    assertSubsetted(p);

    // several elements, in XML
    Response xml = RestAssured.given().queryParam("_elements", "name,birthDate").queryParam("_format", "xml")
        .get("/Patient/" + id);
    xml.then().statusCode(200).contentType(startsWith(FHIR_XML));
    XmlPath x = xml.xmlPath();
    assertThat(x.getString("Patient.name.family.@value")).isEqualTo(family);
    assertThat(x.getString("Patient.birthDate.@value")).isEqualTo("1980-05-17");
    assertThat(xml.asString()).doesNotContain("<gender").doesNotContain("<maritalStatus").doesNotContain("<photo")
        .contains("SUBSETTED");
  }

  private static void assertSubsetted(JsonPath p) {
    assertThat(p.getList("meta.tag.code")).as("meta.tag codes").contains("SUBSETTED");
    assertThat(p.getList("meta.tag.system")).contains(SUBSETTED_SYSTEM);
  }

  // ---- Prefer: return= --------------------------------------------------------------------------

  @Test
  void preferReturnMinimalOnCreateAndUpdateGivesEmptyBodyWithHeaders() {
    String family = unique("Minimal");
    Response created = json().header("Prefer", "return=minimal").body(fullPatient(family, unique("mrn")))
        .post("/Patient");
    created.then().statusCode(201)
        .header("Location", matchesPattern(base() + "/Patient/[0-9a-f-]{36}/_history/1"))
        .header("ETag", "W/\"1\"")
        .header("Last-Modified", notNullValue())
        .body(emptyString());
    String location = created.header("Location");
    String id = location.substring((base() + "/Patient/").length(), location.indexOf("/_history"));
    // it was stored all the same
    json().get("/Patient/" + id).then().statusCode(200).body("name[0].family", equalTo(family));

    String v2 = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"" + family + "-2\"}]}";
    json().header("Prefer", "return=minimal").body(v2).put("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .header("Last-Modified", notNullValue())
        .body(emptyString());
    json().get("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2")).body("name[0].family", equalTo(family + "-2"));

    // update-as-create with return=minimal: 201 with Location and no body
    String clientId = "min-" + System.nanoTime();
    json().header("Prefer", "return=minimal")
        .body("{\"resourceType\":\"Patient\",\"id\":\"" + clientId + "\",\"name\":[{\"family\":\"" + family + "\"}]}")
        .put("/Patient/" + clientId).then().statusCode(201)
        .header("Location", startsWith(base() + "/Patient/" + clientId + "/_history/1"))
        .header("ETag", "W/\"1\"")
        .body(emptyString());
  }

  @Test
  void preferReturnRepresentationGivesTheStoredResource() {
    String family = unique("Repr");
    Response created = json().header("Prefer", "return=representation").body(fullPatient(family, unique("mrn")))
        .post("/Patient");
    created.then().statusCode(201)
        .header("ETag", "W/\"1\"")
        .body("resourceType", equalTo("Patient"))
        .body("meta.versionId", equalTo("1"))
        .body("name[0].family", equalTo(family));
    String id = created.jsonPath().getString("id");
    assertThat(created.header("Location")).isEqualTo(base() + "/Patient/" + id + "/_history/1");

    String v2 = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"" + family + "-2\"}]}";
    json().header("Prefer", "return=representation").body(v2).put("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("resourceType", equalTo("Patient"))
        .body("id", equalTo(id))
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo(family + "-2"))
        .body("gender", nullValue());
  }

  @Test
  void preferReturnOperationOutcomeGivesAnOutcome() {
    String family = unique("Outcome");
    Response created = json().header("Prefer", "return=OperationOutcome").body(fullPatient(family, unique("mrn")))
        .post("/Patient");
    created.then().statusCode(201)
        .header("Location", matchesPattern(base() + "/Patient/[0-9a-f-]{36}/_history/1"))
        .header("ETag", "W/\"1\"")
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].severity", equalTo("information"))
        .body("issue.diagnostics", hasItem(containsString("Created")))
        .body("name", nullValue());
    String location = created.header("Location");
    String id = location.substring((base() + "/Patient/").length(), location.indexOf("/_history"));
    assertThat(created.jsonPath().getString("issue[0].diagnostics")).contains("Patient/" + id);
    json().get("/Patient/" + id).then().statusCode(200).body("name[0].family", equalTo(family));

    String v2 = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"" + family + "-2\"}]}";
    json().header("Prefer", "return=OperationOutcome").body(v2).put("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString("Updated"))
        .body("issue[0].diagnostics", containsString("Patient/" + id));
    json().get("/Patient/" + id).then().statusCode(200).body("name[0].family", equalTo(family + "-2"));
  }
}
