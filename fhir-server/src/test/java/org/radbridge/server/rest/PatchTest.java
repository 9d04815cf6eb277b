package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/** PATCH: JSON Patch and FHIRPath Patch (JSON and XML), versioning, errors, conditional patch. */
class PatchTest extends ServerTestBase {
  private static final String JSON_PATCH = "application/json-patch+json; charset=UTF-8";

  // ---- helpers --------------------------------------------------------------------------------

  private RequestSpecification utf8() {
    return RestAssured.given().contentType("application/fhir+json; charset=UTF-8").accept("application/fhir+json");
  }

  private RequestSpecification jsonPatch(String body) {
    return RestAssured.given().contentType(JSON_PATCH).accept("application/fhir+json").body(body);
  }

  private RequestSpecification fhirPatch(String parameters) {
    return utf8().body(parameters);
  }

  private String patient(String mrn, String family) {
    return """
        {"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
         "name":[{"family":"%s","given":["Ana"]}],"gender":"female",
         "telecom":[{"system":"phone","value":"555-0100"}]}""".formatted(mrn, family);
  }

  private String create(String body) {
    return utf8().body(body).post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
  }

  private long versions(String id) {
    return count("SELECT count(*) FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
        + " WHERE r.res_type = 'Patient' AND r.res_id = ?", id);
  }

  private int currentVersion(String id) {
    Integer v = jdbc.queryForObject("SELECT version_id FROM resource WHERE res_type = 'Patient' AND res_id = ?",
        Integer.class, id);
    return v == null ? -1 : v;
  }

  private String content(String id) {
    return jdbc.queryForObject("SELECT content FROM resource WHERE res_type = 'Patient' AND res_id = ?",
        String.class, id);
  }

  private List<String> indexStrings(String id, String param) {
    return jdbc.query("SELECT x.value_exact FROM idx_string x JOIN resource r ON r.res_pk = x.res_pk"
        + " WHERE r.res_type = 'Patient' AND r.res_id = ? AND x.param = ?", (rs, n) -> rs.getString(1), id, param);
  }

  private List<String> indexTokens(String id, String param) {
    return jdbc.query("SELECT x.system, x.code FROM idx_token x JOIN resource r ON r.res_pk = x.res_pk"
        + " WHERE r.res_type = 'Patient' AND r.res_id = ? AND x.param = ?",
        (rs, n) -> rs.getString(1) + "|" + rs.getString(2), id, param);
  }

  private List<String> indexDates(String id, String param) {
    return jdbc.query("SELECT x.low, x.high FROM idx_date x JOIN resource r ON r.res_pk = x.res_pk"
        + " WHERE r.res_type = 'Patient' AND r.res_id = ? AND x.param = ?",
        (rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant() + ".."
            + rs.getObject(2, OffsetDateTime.class).toInstant(), id, param);
  }

  /** The request failed as a client error with an OperationOutcome, and nothing was written. */
  private void assertRefusedAndUnchanged(Response r, String id, String contentBefore, String... diagnostics) {
    r.then().statusCode(allOf(greaterThanOrEqualTo(400), lessThan(500)))
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].severity", org.hamcrest.Matchers.anyOf(equalTo("error"), equalTo("fatal")))
        .body("issue[0].diagnostics", notNullValue());
    for (String d : diagnostics) {
      r.then().body("issue[0].diagnostics", containsStringIgnoringCase(d));
    }
    assertThat(versions(id)).as("versions of Patient/" + id).isEqualTo(1);
    assertThat(currentVersion(id)).isEqualTo(1);
    assertThat(content(id)).isEqualTo(contentBefore);
    utf8().get("/Patient/" + id).then().statusCode(200).body("meta.versionId", equalTo("1"));
  }

  private static String op(String type, String path, String more) {
    return "{\"name\":\"operation\",\"part\":[{\"name\":\"type\",\"valueCode\":\"" + type + "\"},"
        + "{\"name\":\"path\",\"valueString\":\"" + path + "\"}" + (more == null ? "" : "," + more) + "]}";
  }

  private static String parameters(String... ops) {
    return "{\"resourceType\":\"Parameters\",\"parameter\":[" + String.join(",", ops) + "]}";
  }

  // ---- JSON Patch -----------------------------------------------------------------------------

  @Test
  void jsonPatchReplaceAddRemoveMakesANewVersionAndReindexes() {
    String id = create(patient(unique("mrn"), "Alpha"));
    assertThat(indexStrings(id, "family")).containsExactly("Alpha");

    String patch = """
        [{"op":"replace","path":"/name/0/family","value":"Beta"},
         {"op":"add","path":"/name/0/given/-","value":"Zoë"},
         {"op":"add","path":"/birthDate","value":"1981-02-03"},
         {"op":"remove","path":"/telecom"}]""";
    jsonPatch(patch).patch("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("resourceType", equalTo("Patient"))
        .body("id", equalTo(id))
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo("Beta"))
        .body("name[0].given", equalTo(List.of("Ana", "Zoë")))
        .body("birthDate", equalTo("1981-02-03"))
        .body("telecom", nullValue())
        .body("gender", equalTo("female"));

    utf8().get("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo("Beta"))
        .body("telecom", nullValue());
    utf8().get("/Patient/" + id + "/_history/1").then().statusCode(200)
        .body("name[0].family", equalTo("Alpha"))
        .body("telecom[0].value", equalTo("555-0100"));

    assertThat(versions(id)).isEqualTo(2);
    assertThat(jdbc.queryForObject("SELECT v.method FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
        + " WHERE r.res_type = 'Patient' AND r.res_id = ? AND v.version_id = 2", String.class, id)).isEqualTo("PATCH");
    // the index follows the patched content
    assertThat(indexStrings(id, "family")).containsExactly("Beta");
    assertThat(indexStrings(id, "given")).containsExactlyInAnyOrder("Ana", "Zoë");
    assertThat(indexTokens(id, "phone")).isEmpty();
    assertThat(indexTokens(id, "telecom")).isEmpty();
    assertThat(indexDates(id, "birthdate")).containsExactly("1981-02-03T00:00:00Z..1981-02-03T23:59:59.999Z");
  }

  @Test
  void jsonPatchTestOperationThatFailsWritesNothing() {
    String id = create(patient(unique("mrn"), "Gamma"));
    String before = content(id);
    Response r = jsonPatch("""
        [{"op":"test","path":"/name/0/family","value":"NotGamma"},
         {"op":"replace","path":"/name/0/family","value":"Delta"}]""").patch("/Patient/" + id);
    assertRefusedAndUnchanged(r, id, before);
    assertThat(indexStrings(id, "family")).containsExactly("Gamma");

    // the same with a test that holds is applied
    jsonPatch("""
        [{"op":"test","path":"/name/0/family","value":"Gamma"},
         {"op":"replace","path":"/name/0/family","value":"Delta"}]""").patch("/Patient/" + id)
        .then().statusCode(200).body("name[0].family", equalTo("Delta")).body("meta.versionId", equalTo("2"));
  }

  // ---- FHIRPath Patch -------------------------------------------------------------------------

  @Test
  void fhirPathPatchJsonReplaceAddDelete() {
    String mrn = unique("mrn");
    String id = create(patient(mrn, "Epsilon").replace("\"gender\":\"female\"",
        "\"gender\":\"female\",\"birthDate\":\"1970-01-01\""));
    String body = parameters(
        op("replace", "Patient.birthDate", "{\"name\":\"value\",\"valueDate\":\"1990-12-31\"}"),
        op("add", "Patient", "{\"name\":\"name\",\"valueString\":\"identifier\"},"
            + "{\"name\":\"value\",\"valueIdentifier\":{\"system\":\"urn:test:extra\",\"value\":\"X1\"}}"),
        op("add", "Patient", "{\"name\":\"name\",\"valueString\":\"active\"},"
            + "{\"name\":\"value\",\"valueBoolean\":true}"),
        op("delete", "Patient.gender", null));
    fhirPatch(body).patch("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("meta.versionId", equalTo("2"))
        .body("birthDate", equalTo("1990-12-31"))
        .body("identifier.value", equalTo(List.of(mrn, "X1")))
        .body("active", equalTo(true))
        .body("gender", nullValue())
        .body("name[0].family", equalTo("Epsilon"));

    utf8().get("/Patient/" + id).then().statusCode(200)
        .body("birthDate", equalTo("1990-12-31")).body("gender", nullValue());
    assertThat(indexDates(id, "birthdate")).containsExactly("1990-12-31T00:00:00Z..1990-12-31T23:59:59.999Z");
    assertThat(indexTokens(id, "gender")).isEmpty();
    assertThat(indexTokens(id, "identifier")).containsExactlyInAnyOrder("urn:test:mrn|" + mrn, "urn:test:extra|X1");
    assertThat(indexTokens(id, "active")).containsExactly("null|true");
  }

  @Test
  void fhirPathPatchXml() {
    String id = create(patient(unique("mrn"), "Zeta"));
    String xml = """
        <Parameters xmlns="http://hl7.org/fhir">
          <parameter>
            <name value="operation"/>
            <part><name value="type"/><valueCode value="replace"/></part>
            <part><name value="path"/><valueString value="Patient.name.family"/></part>
            <part><name value="value"/><valueString value="Éta"/></part>
          </parameter>
          <parameter>
            <name value="operation"/>
            <part><name value="type"/><valueCode value="add"/></part>
            <part><name value="path"/><valueString value="Patient"/></part>
            <part><name value="name"/><valueString value="birthDate"/></part>
            <part><name value="value"/><valueDate value="2001-09"/></part>
          </parameter>
        </Parameters>""";
    RestAssured.given().contentType("application/fhir+xml; charset=UTF-8").accept("application/fhir+json")
        .body(xml).patch("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo("Éta"))
        .body("birthDate", equalTo("2001-09"));
    assertThat(indexStrings(id, "family")).containsExactly("Éta");
    assertThat(indexDates(id, "birthdate")).containsExactly("2001-09-01T00:00:00Z..2001-09-30T23:59:59.999Z");
  }

  @Test
  void fhirPathPatchDeleteOfAbsentElementIsNoError() {
    // FHIRPath Patch: "it is not an error if no element matches" a delete
    String id = create(patient(unique("mrn"), "Eta"));
    fhirPatch(parameters(op("delete", "Patient.birthDate", null),
        op("replace", "Patient.name.family", "{\"name\":\"value\",\"valueString\":\"Theta\"}")))
        .patch("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2")).body("name[0].family", equalTo("Theta"));
  }

  // ---- versions and existence -----------------------------------------------------------------

  @Test
  void patchWithStaleIfMatchIs412AndChangesNothing() {
    String id = create(patient(unique("mrn"), "Iota"));
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"Kappa\"}]")
        .header("If-Match", "W/\"1\"").patch("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2"));
    String before = content(id);

    jsonPatch("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"Lambda\"}]")
        .header("If-Match", "W/\"1\"").patch("/Patient/" + id).then().statusCode(412)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString("not the current version 2"));
    fhirPatch(parameters(op("replace", "Patient.name.family", "{\"name\":\"value\",\"valueString\":\"Lambda\"}")))
        .header("If-Match", "W/\"1\"").patch("/Patient/" + id).then().statusCode(412);

    assertThat(versions(id)).isEqualTo(2);
    assertThat(content(id)).isEqualTo(before);
    assertThat(indexStrings(id, "family")).containsExactly("Kappa");
    utf8().get("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2")).body("name[0].family", equalTo("Kappa"));
  }

  @Test
  void patchOfUnknownResourceIs404AndOfDeletedResourceIs410() {
    String unknown = unique("never");
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]").patch("/Patient/" + unknown)
        .then().statusCode(404).body("resourceType", equalTo("OperationOutcome"));
    fhirPatch(parameters(op("replace", "Patient.gender", "{\"name\":\"value\",\"valueCode\":\"male\"}")))
        .patch("/Patient/" + unknown).then().statusCode(404).body("resourceType", equalTo("OperationOutcome"));
    assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'Patient' AND res_id = ?", unknown)).isZero();

    String id = create(patient(unique("mrn"), "Mu"));
    RestAssured.given().delete("/Patient/" + id).then().statusCode(200);
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]").patch("/Patient/" + id)
        .then().statusCode(410).body("resourceType", equalTo("OperationOutcome"));
    fhirPatch(parameters(op("replace", "Patient.gender", "{\"name\":\"value\",\"valueCode\":\"male\"}")))
        .patch("/Patient/" + id).then().statusCode(410);
    assertThat(versions(id)).isEqualTo(2);
    utf8().get("/Patient/" + id).then().statusCode(410);
  }

  // ---- invalid patches ------------------------------------------------------------------------

  @Test
  void jsonPatchReplaceOfMissingPathIsRefused() {
    String id = create(patient(unique("mrn"), "Nu"));
    String before = content(id);
    assertRefusedAndUnchanged(
        jsonPatch("[{\"op\":\"replace\",\"path\":\"/birthDate\",\"value\":\"1990-01-01\"}]").patch("/Patient/" + id),
        id, before, "path");
    assertRefusedAndUnchanged(
        jsonPatch("[{\"op\":\"remove\",\"path\":\"/address/0\"}]").patch("/Patient/" + id), id, before, "path");
    // a multi-operation patch is all or nothing: the valid first operation is not kept either
    assertRefusedAndUnchanged(
        jsonPatch("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"Xi\"},"
            + "{\"op\":\"replace\",\"path\":\"/birthDate\",\"value\":\"1990-01-01\"}]").patch("/Patient/" + id),
        id, before, "path");
    assertThat(indexStrings(id, "family")).containsExactly("Nu");
  }

  @Test
  void malformedJsonPatchIsRefused() {
    String id = create(patient(unique("mrn"), "Omicron"));
    String before = content(id);
    // not JSON at all
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"replace\",\"path\":").patch("/Patient/" + id), id, before);
    // JSON, but not a patch document
    assertRefusedAndUnchanged(jsonPatch("{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}")
        .patch("/Patient/" + id), id, before);
    // unknown operation
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"frobnicate\",\"path\":\"/gender\",\"value\":\"male\"}]")
        .patch("/Patient/" + id), id, before);
    // empty body
    assertRefusedAndUnchanged(RestAssured.given().contentType(JSON_PATCH).accept("application/fhir+json")
        .body("").patch("/Patient/" + id), id, before);
  }

  @Test
  void jsonPatchThatMakesTheResourceInvalidIsRefused() {
    String id = create(patient(unique("mrn"), "Pi"));
    String before = content(id);
    // not a code of administrative-gender
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"banana\"}]")
        .patch("/Patient/" + id), id, before);
    // an element Patient does not have
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"add\",\"path\":\"/colour\",\"value\":\"blue\"}]")
        .patch("/Patient/" + id), id, before);
    // a date that is not a date
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"add\",\"path\":\"/birthDate\",\"value\":\"yesterday\"}]")
        .patch("/Patient/" + id), id, before);
  }

  @Test
  void fhirPathPatchWhoseBodyIsNotParametersIsRefused() {
    String id = create(patient(unique("mrn"), "Rho"));
    String before = content(id);
    assertRefusedAndUnchanged(fhirPatch("{\"resourceType\":\"Patient\",\"gender\":\"male\"}").patch("/Patient/" + id),
        id, before, "Parameters");
    // not even a resource
    assertRefusedAndUnchanged(fhirPatch("{\"gender\":\"male\"}").patch("/Patient/" + id), id, before);
    assertRefusedAndUnchanged(fhirPatch("not json").patch("/Patient/" + id), id, before);
  }

  @Test
  void fhirPathPatchWithBadOperationsIsRefused() {
    String id = create(patient(unique("mrn"), "Sigma"));
    String before = content(id);
    // replace: "it is an error if no element matches the specified path"
    assertRefusedAndUnchanged(fhirPatch(parameters(
        op("replace", "Patient.birthDate", "{\"name\":\"value\",\"valueDate\":\"1990-01-01\"}")))
        .patch("/Patient/" + id), id, before);
    // unknown operation type
    assertRefusedAndUnchanged(fhirPatch(parameters(
        op("frobnicate", "Patient.gender", "{\"name\":\"value\",\"valueCode\":\"male\"}")))
        .patch("/Patient/" + id), id, before);
    // not a FHIRPath expression
    assertRefusedAndUnchanged(fhirPatch(parameters(
        op("replace", "Patient.name.(((", "{\"name\":\"value\",\"valueString\":\"x\"}")))
        .patch("/Patient/" + id), id, before);
    // all or nothing: a valid operation followed by a failing one writes nothing
    assertRefusedAndUnchanged(fhirPatch(parameters(
        op("replace", "Patient.name.family", "{\"name\":\"value\",\"valueString\":\"Tau\"}"),
        op("replace", "Patient.birthDate", "{\"name\":\"value\",\"valueDate\":\"1990-01-01\"}")))
        .patch("/Patient/" + id), id, before);
    assertThat(indexStrings(id, "family")).containsExactly("Sigma");
  }

  @Test
  void unsupportedPatchContentTypeIsRefused() {
    String id = create(patient(unique("mrn"), "Upsilon"));
    String before = content(id);
    Response r = RestAssured.given().contentType("text/plain").accept("application/fhir+json")
        .body("replace gender with male").patch("/Patient/" + id);
    r.then().statusCode(allOf(greaterThanOrEqualTo(400), lessThan(500)));
    assertThat(versions(id)).isEqualTo(1);
    assertThat(content(id)).isEqualTo(before);
  }

  @Test
  void patchThatChangesTheIdIsRefused() {
    String id = create(patient(unique("mrn"), "Phi"));
    String before = content(id);
    String newId = unique("moved");
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"replace\",\"path\":\"/id\",\"value\":\"" + newId + "\"}]")
        .patch("/Patient/" + id), id, before, "id");
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"remove\",\"path\":\"/id\"}]").patch("/Patient/" + id),
        id, before, "id");
    assertRefusedAndUnchanged(fhirPatch(parameters(
        op("replace", "Patient.id", "{\"name\":\"value\",\"valueId\":\"" + newId + "\"}")))
        .patch("/Patient/" + id), id, before, "id");
    // nor may it change the resource type
    assertRefusedAndUnchanged(jsonPatch("[{\"op\":\"replace\",\"path\":\"/resourceType\",\"value\":\"Group\"}]")
        .patch("/Patient/" + id), id, before);
    assertThat(count("SELECT count(*) FROM resource WHERE res_id = ?", newId)).isZero();
  }

  @Test
  void patchCannotRewriteVersionOrLastUpdated() {
    String id = create(patient(unique("mrn"), "Chi"));
    jsonPatch("""
        [{"op":"replace","path":"/meta/versionId","value":"41"},
         {"op":"replace","path":"/meta/lastUpdated","value":"2001-01-01T00:00:00Z"},
         {"op":"replace","path":"/gender","value":"male"}]""").patch("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2"))
        .body("meta.lastUpdated", not(containsString("2001-01-01")))
        .body("gender", equalTo("male"));
    assertThat(currentVersion(id)).isEqualTo(2);
  }

  // ---- conditional patch ----------------------------------------------------------------------

  @Test
  void conditionalPatchPatchesTheSingleMatch() {
    String mrn = unique("mrn");
    String id = create(patient(mrn, "Psi"));
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"Omega\"}]")
        .queryParam("identifier", "urn:test:mrn|" + mrn).patch("/Patient")
        .then().statusCode(200)
        .body("id", equalTo(id))
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo("Omega"));
    assertThat(indexStrings(id, "family")).containsExactly("Omega");

    // FHIRPath Patch works conditionally too
    fhirPatch(parameters(op("replace", "Patient.gender", "{\"name\":\"value\",\"valueCode\":\"other\"}")))
        .queryParam("identifier", "urn:test:mrn|" + mrn).patch("/Patient")
        .then().statusCode(200).body("id", equalTo(id)).body("gender", equalTo("other"))
        .body("meta.versionId", equalTo("3"));
  }

  @Test
  void conditionalPatchWithoutMatchIs404AndCreatesNothing() {
    String mrn = unique("mrn");
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]")
        .queryParam("identifier", "urn:test:mrn|" + mrn).patch("/Patient")
        .then().statusCode(404).body("resourceType", equalTo("OperationOutcome"));
    assertThat(count("SELECT count(*) FROM idx_token WHERE res_type = 'Patient' AND param = 'identifier'"
        + " AND code = ?", mrn)).isZero();
  }

  @Test
  void conditionalPatchWithSeveralMatchesIs412AndChangesNone() {
    String mrn = unique("mrn");
    String a = create(patient(mrn, "Twin"));
    String b = create(patient(mrn, "Twin"));
    String beforeA = content(a);
    String beforeB = content(b);
    jsonPatch("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]")
        .queryParam("identifier", "urn:test:mrn|" + mrn).patch("/Patient")
        .then().statusCode(412).body("resourceType", equalTo("OperationOutcome"));
    assertThat(content(a)).isEqualTo(beforeA);
    assertThat(content(b)).isEqualTo(beforeB);
    assertThat(versions(a)).isEqualTo(1);
    assertThat(versions(b)).isEqualTo(1);
  }
}
