package org.radbridge.server.terminology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/** $lookup, $validate-code, $expand and $translate over shipped and REST-created terminology. */
class TerminologyOperationsTest extends ServerTestBase {
  private static final String LOINC = "http://loinc.org";
  private static final String PROCEDURES = "https://radbridge.org/fhir/ValueSet/rb-imaging-procedure";
  private static final String MODALITIES = "https://radbridge.org/fhir/ValueSet/rb-modality";
  private static final String CENTRE_A = "https://radbridge.org/fhir/CodeSystem/his-centre-a";

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  private static String param(JsonPath p, String name, String type) {
    return p.getString("parameter.find { it.name == '" + name + "' }." + type);
  }

  // ---- $lookup ------------------------------------------------------------------------------

  @Test
  void lookupGivesLoincDisplayAndModality() {
    JsonPath p = json().queryParam("system", LOINC).queryParam("code", "30799-1")
        .get("/CodeSystem/$lookup").then().statusCode(200).extract().jsonPath();
    assertThat(param(p, "display", "valueString")).isEqualTo("CT Head WO contrast");
    assertThat(p.getString("parameter.find { it.name == 'property' }.part.find { it.name == 'code' }.valueCode"))
        .isEqualTo("modality");
    assertThat(p.getString("parameter.find { it.name == 'property' }.part.find { it.name == 'value' }.valueCoding.code"))
        .isEqualTo("CT");
  }

  @Test
  void lookupByPostWithACoding() {
    String body = """
        {"resourceType":"Parameters","parameter":[{"name":"coding","valueCoding":
          {"system":"http://dicom.nema.org/resources/ontology/DCM","code":"MR"}}]}""";
    JsonPath p = json().body(body).post("/CodeSystem/$lookup").then().statusCode(200).extract().jsonPath();
    assertThat(param(p, "display", "valueString")).isEqualTo("Magnetic Resonance");
  }

  @Test
  void lookupOfAnUnknownCodeIs404() {
    json().queryParam("system", LOINC).queryParam("code", "00000-0").get("/CodeSystem/$lookup").then().statusCode(404)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString("00000-0"));
    json().queryParam("code", "30799-1").get("/CodeSystem/$lookup").then().statusCode(400)
        .body("issue[0].diagnostics", containsString("needs code and system"));
  }

  // ---- $validate-code -----------------------------------------------------------------------

  @Test
  void validateCodeInCodeSystem() {
    JsonPath ok = json().queryParam("url", LOINC).queryParam("code", "24627-2")
        .get("/CodeSystem/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(ok, "result", "valueBoolean")).isEqualTo("true");
    JsonPath wrongDisplay = json().queryParam("url", "http://dicom.nema.org/resources/ontology/DCM").queryParam("code", "CT")
        .queryParam("display", "Cat scan").get("/CodeSystem/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(wrongDisplay, "message", "valueString")).contains("Computed Tomography");
    JsonPath unknown = json().queryParam("url", "http://dicom.nema.org/resources/ontology/DCM").queryParam("code", "XYZ")
        .get("/CodeSystem/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(unknown, "result", "valueBoolean")).isEqualTo("false");
    assertThat(param(unknown, "message", "valueString")).contains("XYZ");
  }

  @Test
  void theModalityValueSetIsCid33AcquisitionAndNonAcquisition() {
    for (String code : List.of("CT", "MR", "CR", "ECG", "SR", "SEG", "RTDOSE", "RTPLAN", "RTSTRUCT", "OT", "KO", "PR",
        "DOC", "REG", "AU")) {
      JsonPath r = json().queryParam("url", MODALITIES).queryParam("system", "http://dicom.nema.org/resources/ontology/DCM")
          .queryParam("code", code).get("/ValueSet/$validate-code").then().statusCode(200).extract().jsonPath();
      assertThat(param(r, "result", "valueBoolean")).as(code).isEqualTo("true");
    }
    JsonPath sr = json().queryParam("system", "http://dicom.nema.org/resources/ontology/DCM").queryParam("code", "SR")
        .get("/CodeSystem/$lookup").then().statusCode(200).extract().jsonPath();
    assertThat(param(sr, "display", "valueString")).isEqualTo("Structured Report Document");
    JsonPath retired = json().queryParam("url", MODALITIES).queryParam("system", "http://dicom.nema.org/resources/ontology/DCM")
        .queryParam("code", "DS").get("/ValueSet/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(retired, "result", "valueBoolean")).isEqualTo("false"); // retired (Digital Subtraction Angiography)
  }

  @Test
  void validateCodeInValueSet() {
    JsonPath ok = json().queryParam("url", PROCEDURES).queryParam("system", LOINC).queryParam("code", "24590-2")
        .get("/ValueSet/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(ok, "result", "valueBoolean")).isEqualTo("true");
    assertThat(param(ok, "display", "valueString")).isEqualTo("MR Brain");

    String notImaging = """
        {"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"%s"},
          {"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]}}]}"""
        .formatted(PROCEDURES);
    JsonPath no = json().body(notImaging).post("/ValueSet/$validate-code").then().statusCode(200).extract().jsonPath();
    assertThat(param(no, "result", "valueBoolean")).isEqualTo("false");
    assertThat(param(no, "message", "valueString")).contains("2345-7");

    json().queryParam("url", "https://example.org/ValueSet/none").queryParam("code", "x")
        .get("/ValueSet/$validate-code").then().statusCode(404)
        .body("issue[0].diagnostics", containsString("https://example.org/ValueSet/none is not known"));
  }

  // ---- $expand ------------------------------------------------------------------------------

  @Test
  void expandWithFilterCountAndOffset() {
    JsonPath all = json().queryParam("url", PROCEDURES).get("/ValueSet/$expand").then().statusCode(200)
        .extract().jsonPath();
    int total = all.getInt("expansion.total");
    assertThat(total).isGreaterThanOrEqualTo(60);
    assertThat(all.getList("expansion.contains.code")).contains("30799-1").hasSize(total);

    JsonPath filtered = json().queryParam("url", MODALITIES).queryParam("filter", "tomography")
        .get("/ValueSet/$expand").then().statusCode(200).extract().jsonPath();
    assertThat(filtered.getList("expansion.contains.code", String.class)).contains("CT", "PT");
    assertThat(filtered.getList("expansion.contains.display", String.class))
        .allSatisfy(d -> assertThat(d.toLowerCase()).contains("tomography"));

    JsonPath page1 = json().queryParam("url", PROCEDURES).queryParam("count", 10).queryParam("offset", 0)
        .get("/ValueSet/$expand").then().statusCode(200).extract().jsonPath();
    JsonPath page2 = json().queryParam("url", PROCEDURES).queryParam("count", 10).queryParam("offset", 10)
        .get("/ValueSet/$expand").then().statusCode(200).extract().jsonPath();
    List<String> first = page1.getList("expansion.contains.code");
    List<String> second = page2.getList("expansion.contains.code");
    assertThat(first).hasSize(10);
    assertThat(second).hasSize(10).doesNotContainAnyElementsOf(first);
    assertThat(first).isEqualTo(all.getList("expansion.contains.code").subList(0, 10));
    assertThat(second).isEqualTo(all.getList("expansion.contains.code").subList(10, 20));
  }

  @Test
  void expandOnAnInstanceAndErrors() {
    json().get("/ValueSet/rb-report-category/$expand").then().statusCode(200)
        .body("expansion.contains.code", equalTo(List.of("RAD")));
    json().queryParam("url", "https://example.org/ValueSet/none").get("/ValueSet/$expand").then().statusCode(404);
    json().get("/ValueSet/$expand").then().statusCode(400).body("issue[0].diagnostics", containsString("needs url"));
    json().queryParam("url", PROCEDURES).queryParam("count", -1).get("/ValueSet/$expand").then().statusCode(400);
  }

  // ---- $translate ---------------------------------------------------------------------------

  @Test
  void translateWithTheShippedMap() {
    JsonPath p = json().queryParam("system", CENTRE_A).queryParam("code", "CT-HEAD-P").queryParam("targetsystem", LOINC)
        .get("/ConceptMap/$translate").then().statusCode(200).extract().jsonPath();
    assertThat(param(p, "result", "valueBoolean")).isEqualTo("true");
    assertThat(p.getString("parameter.find { it.name == 'match' }.part.find { it.name == 'concept' }.valueCoding.code"))
        .isEqualTo("30799-1");
    assertThat(p.getString("parameter.find { it.name == 'match' }.part.find { it.name == 'equivalence' }.valueCode"))
        .isEqualTo("equivalent");

    JsonPath none = json().queryParam("system", CENTRE_A).queryParam("code", "NO-SUCH").get("/ConceptMap/$translate")
        .then().statusCode(200).extract().jsonPath();
    assertThat(param(none, "result", "valueBoolean")).isEqualTo("false");
    assertThat(param(none, "message", "valueString")).contains("NO-SUCH");
  }

  @Test
  void translateWithAMapLoadedFromCsv() {
    JsonPath p = json().queryParam("system", "urn:test:his-test-centre").queryParam("code", "T-MR-BRAIN")
        .get("/ConceptMap/his-test-centre/$translate").then().statusCode(200).extract().jsonPath();
    assertThat(p.getString("parameter.find { it.name == 'match' }.part.find { it.name == 'concept' }.valueCoding.code"))
        .isEqualTo("24590-2");
    assertThat(p.getString("parameter.find { it.name == 'match' }.part.find { it.name == 'equivalence' }.valueCode"))
        .isEqualTo("wider");
  }

  @Test
  void aConceptMapUploadedThroughRestChangesTranslateAtOnce() {
    String system = "urn:test:" + unique("his");
    String map = """
        {"resourceType":"ConceptMap","url":"https://example.org/ConceptMap/%1$s","status":"active",
         "group":[{"source":"%1$s","target":"http://loinc.org",
           "element":[{"code":"L1","target":[{"code":"%2$s","equivalence":"equivalent"}]}]}]}""";
    String id = json().body(map.formatted(system, "24627-2")).post("/ConceptMap").then().statusCode(201)
        .extract().path("id");
    assertThat(translated(system, "L1")).isEqualTo("24627-2");

    json().body(map.formatted(system, "24590-2").replaceFirst("\\{", "{\"id\":\"" + id + "\","))
        .put("/ConceptMap/" + id).then().statusCode(200);
    assertThat(translated(system, "L1")).isEqualTo("24590-2");

    json().delete("/ConceptMap/" + id).then().statusCode(200);
    JsonPath gone = json().queryParam("system", system).queryParam("code", "L1").get("/ConceptMap/$translate")
        .then().statusCode(200).extract().jsonPath();
    assertThat(param(gone, "result", "valueBoolean")).isEqualTo("false");
  }

  private String translated(String system, String code) {
    return json().queryParam("system", system).queryParam("code", code).get("/ConceptMap/$translate")
        .then().statusCode(200).extract().jsonPath()
        .getString("parameter.find { it.name == 'match' }.part.find { it.name == 'concept' }.valueCoding.code");
  }

  @Test
  void codeSystemAndValueSetCreatedThroughRestAreUsedAtOnce() {
    String system = "urn:test:" + unique("cs");
    json().body("""
        {"resourceType":"CodeSystem","url":"%s","status":"active","content":"complete",
         "concept":[{"code":"a","display":"Alpha"},{"code":"b","display":"Beta"}]}""".formatted(system))
        .post("/CodeSystem").then().statusCode(201);
    json().queryParam("system", system).queryParam("code", "b").get("/CodeSystem/$lookup").then().statusCode(200)
        .body("parameter.find { it.name == 'display' }.valueString", equalTo("Beta"));

    String vsUrl = "https://example.org/ValueSet/" + unique("vs");
    json().body("""
        {"resourceType":"ValueSet","url":"%s","status":"active",
         "compose":{"include":[{"system":"%s","concept":[{"code":"a"}]}]}}""".formatted(vsUrl, system))
        .post("/ValueSet").then().statusCode(201);
    json().queryParam("url", vsUrl).get("/ValueSet/$expand").then().statusCode(200)
        .body("expansion.contains.code", equalTo(List.of("a")))
        .body("expansion.contains.display", equalTo(List.of("Alpha")));
  }

  @Test
  void shippedTerminologyIsServedReadOnly() {
    json().queryParam("url", LOINC).get("/CodeSystem").then().statusCode(200)
        .body("entry.resource.content", hasItem("fragment"));
    json().get("/ValueSet/rb-imaging-procedure").then().statusCode(200).body("url", equalTo(PROCEDURES));
    json().delete("/ValueSet/rb-imaging-procedure").then().statusCode(405);
    json().get("/metadata").then().statusCode(200)
        .body("rest[0].resource.find { it.type == 'ValueSet' }.operation.name", hasItem("expand"))
        .body("rest[0].resource.find { it.type == 'ConceptMap' }.operation.name", hasItem("translate"));
  }
}
