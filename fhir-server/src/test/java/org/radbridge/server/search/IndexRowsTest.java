package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * The rows the indexer writes, read straight from the index tables: each search parameter of R4
 * is evaluated with its FHIRPath expression and its values converted by the parameter's kind.
 * Rows are compared as text: {@code value_norm|value_exact} for strings,
 * {@code system|code|text_norm} for tokens, {@code target_type|target_id|target_url} for
 * references, {@code low..high} (UTC instants) for dates, the plain number for numbers,
 * {@code value|system|code|unit} for quantities and the uri for uris; SQL NULL reads "null".
 */
class IndexRowsTest extends ServerTestBase {
  private static final String UCUM = "http://unitsofmeasure.org";
  private static final String LOINC = "http://loinc.org";
  private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  private static final String MAX = "9999-12-31T23:59:59.999Z";

  // ---- helpers --------------------------------------------------------------------------------

  /** JSON with an explicit UTF-8 charset, so non-ASCII values reach the server intact. */
  private RequestSpecification utf8() {
    return RestAssured.given().contentType("application/fhir+json; charset=UTF-8").accept("application/fhir+json");
  }

  private String create(String type, String body) {
    return utf8().body(body).post("/" + type).then().statusCode(201).extract().jsonPath().getString("id");
  }

  private void update(String type, String id, String body, int expectedVersion) {
    update(type, id, body, expectedVersion, 200);
  }

  private void update(String type, String id, String body, int expectedVersion, int expectedStatus) {
    utf8().body(body).put("/" + type + "/" + id).then().statusCode(expectedStatus)
        .body("meta.versionId", equalTo(String.valueOf(expectedVersion)));
  }

  private static final String JOIN = " JOIN resource r ON r.res_pk = x.res_pk"
      + " WHERE r.res_type = ? AND r.res_id = ? AND x.res_type = r.res_type AND x.param = ?";

  private List<String> strings(String type, String id, String param) {
    return jdbc.query("SELECT x.value_norm, x.value_exact FROM idx_string x" + JOIN,
        (rs, n) -> rs.getString(1) + "|" + rs.getString(2), type, id, param);
  }

  private List<String> tokens(String type, String id, String param) {
    return jdbc.query("SELECT x.system, x.code, x.text_norm FROM idx_token x" + JOIN,
        (rs, n) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3), type, id, param);
  }

  private List<String> references(String type, String id, String param) {
    return jdbc.query("SELECT x.target_type, x.target_id, x.target_url FROM idx_reference x" + JOIN,
        (rs, n) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3), type, id, param);
  }

  private List<String> dates(String type, String id, String param) {
    return jdbc.query("SELECT x.low, x.high FROM idx_date x" + JOIN,
        (rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant() + ".."
            + rs.getObject(2, OffsetDateTime.class).toInstant(), type, id, param);
  }

  private List<String> numbers(String type, String id, String param) {
    return jdbc.query("SELECT x.value FROM idx_number x" + JOIN,
        (rs, n) -> plain(rs.getBigDecimal(1)), type, id, param);
  }

  private List<String> quantities(String type, String id, String param) {
    return jdbc.query("SELECT x.value, x.system, x.code, x.unit FROM idx_quantity x" + JOIN,
        (rs, n) -> plain(rs.getBigDecimal(1)) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
            + rs.getString(4), type, id, param);
  }

  private List<String> uris(String type, String id, String param) {
    return jdbc.query("SELECT x.uri FROM idx_uri x" + JOIN, (rs, n) -> rs.getString(1), type, id, param);
  }

  private static String plain(BigDecimal d) {
    return d == null ? "null" : d.stripTrailingZeros().toPlainString();
  }

  private static final List<String> INDEX_TABLES = List.of(
      "idx_string", "idx_token", "idx_reference", "idx_date", "idx_number", "idx_quantity", "idx_uri");

  /** Number of rows per index table of one resource (by res_pk, whatever res_type the rows carry). */
  private Map<String, Long> rowCounts(String type, String id) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : INDEX_TABLES) {
      counts.put(table, count("SELECT count(*) FROM " + table + " x JOIN resource r ON r.res_pk = x.res_pk"
          + " WHERE r.res_type = ? AND r.res_id = ?", type, id));
    }
    return counts;
  }

  /** Every index row of a resource as text "table:param:values", for whole-set comparisons. */
  private List<String> allRows(String type, String id) {
    String where = " x JOIN resource r ON r.res_pk = x.res_pk WHERE r.res_type = ? AND r.res_id = ?";
    List<String> all = new java.util.ArrayList<>();
    all.addAll(jdbc.query("SELECT x.param, x.value_norm, x.value_exact FROM idx_string" + where,
        (rs, n) -> "s:" + rs.getString(1) + ":" + rs.getString(2) + "|" + rs.getString(3), type, id));
    all.addAll(jdbc.query("SELECT x.param, x.system, x.code, x.text_norm FROM idx_token" + where,
        (rs, n) -> "t:" + rs.getString(1) + ":" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4),
        type, id));
    all.addAll(jdbc.query("SELECT x.param, x.target_type, x.target_id, x.target_url FROM idx_reference" + where,
        (rs, n) -> "r:" + rs.getString(1) + ":" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4),
        type, id));
    all.addAll(jdbc.query("SELECT x.param, x.low, x.high FROM idx_date" + where,
        (rs, n) -> "d:" + rs.getString(1) + ":" + rs.getObject(2, OffsetDateTime.class).toInstant() + ".."
            + rs.getObject(3, OffsetDateTime.class).toInstant(), type, id));
    all.addAll(jdbc.query("SELECT x.param, x.value FROM idx_number" + where,
        (rs, n) -> "n:" + rs.getString(1) + ":" + plain(rs.getBigDecimal(2)), type, id));
    all.addAll(jdbc.query("SELECT x.param, x.value, x.system, x.code, x.unit FROM idx_quantity" + where,
        (rs, n) -> "q:" + rs.getString(1) + ":" + plain(rs.getBigDecimal(2)) + "|" + rs.getString(3) + "|"
            + rs.getString(4) + "|" + rs.getString(5), type, id));
    all.addAll(jdbc.query("SELECT x.param, x.uri FROM idx_uri" + where,
        (rs, n) -> "u:" + rs.getString(1) + ":" + rs.getString(2), type, id));
    return all;
  }

  private long versions(String type, String id) {
    return count("SELECT count(*) FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
        + " WHERE r.res_type = ? AND r.res_id = ?", type, id);
  }

  // ---- Patient --------------------------------------------------------------------------------

  @Test
  void patientStringRowsAreUpperCasedWithoutAccentsAndKeepTheExactValue() {
    String id = create("Patient", """
        {"resourceType":"Patient",
         "name":[{"family":"Müller","given":["José","Ana"],"prefix":["Dr."]}],
         "address":[{"line":["Rua Augusta 12"],"city":"São Paulo","state":"SP","postalCode":"01305-000",
                     "country":"Brasil"}]}""");

    assertThat(strings("Patient", id, "family")).containsExactly("MULLER|Müller");
    assertThat(strings("Patient", id, "given")).containsExactlyInAnyOrder("JOSE|José", "ANA|Ana");
    // name covers family, given, prefix (and suffix and text when present)
    assertThat(strings("Patient", id, "name"))
        .containsExactlyInAnyOrder("MULLER|Müller", "JOSE|José", "ANA|Ana", "DR.|Dr.");
    assertThat(strings("Patient", id, "address-city")).containsExactly("SAO PAULO|São Paulo");
    assertThat(strings("Patient", id, "address-state")).containsExactly("SP|SP");
    assertThat(strings("Patient", id, "address-postalcode")).containsExactly("01305-000|01305-000");
    assertThat(strings("Patient", id, "address-country")).containsExactly("BRASIL|Brasil");
    assertThat(strings("Patient", id, "address")).containsExactlyInAnyOrder(
        "RUA AUGUSTA 12|Rua Augusta 12", "SAO PAULO|São Paulo", "SP|SP", "01305-000|01305-000", "BRASIL|Brasil");
  }

  @Test
  void longStringValuesAreTruncatedOnlyInTheNormalisedColumn() {
    String family = "Ü" + "x".repeat(299);
    String id = create("Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + family + "\"}]}");
    List<String> rows = strings("Patient", id, "family");
    assertThat(rows).containsExactly("U" + "X".repeat(199) + "|" + family);
  }

  @Test
  void overlongTokenValuesDoNotFailTheWrite() {
    // FHIR sets no length limit on Identifier.value or Coding.code (a string is up to 1 MB): the
    // resource must be stored whatever the index keeps of such a value
    String longValue = unique("v") + "-" + "9".repeat(700);
    String longUnit = "u".repeat(300);
    Response r = utf8().body("""
        {"resourceType":"Patient","identifier":[{"system":"urn:test:long","value":"%s"}],
         "name":[{"family":"Long"}]}""".formatted(longValue)).post("/Patient");
    r.then().statusCode(201);
    String id = r.jsonPath().getString("id");
    utf8().get("/Patient/" + id).then().statusCode(200).body("identifier[0].value", equalTo(longValue));
    assertThat(strings("Patient", id, "family")).containsExactly("LONG|Long");
    assertThat(tokens("Patient", id, "identifier")).hasSize(1);

    utf8().body("""
        {"resourceType":"Substance","code":{"text":"x"},"instance":[{"quantity":{"value":1,"unit":"%s"}}]}"""
        .formatted(longUnit)).post("/Substance").then().statusCode(201);
  }

  @Test
  void patientTokenRows() {
    String mrn = unique("mrn");
    String other = unique("plain");
    String id = create("Patient", """
        {"resourceType":"Patient",
         "identifier":[{"system":"urn:test:mrn","value":"%s"},{"value":"%s"}],
         "gender":"female","active":true,
         "telecom":[{"system":"phone","value":"+49 30 1234567","use":"home"},
                    {"system":"email","value":"ana@example.org"}],
         "address":[{"use":"home","city":"Lisboa"}]}""".formatted(mrn, other));

    assertThat(tokens("Patient", id, "identifier"))
        .containsExactlyInAnyOrder("urn:test:mrn|" + mrn + "|null", "null|" + other + "|null");
    // a code carries the system of its value set implicitly
    assertThat(tokens("Patient", id, "gender"))
        .containsExactly("http://hl7.org/fhir/administrative-gender|female|null");
    assertThat(tokens("Patient", id, "active")).containsExactly("null|true|null");
    // ContactPoint: matched on the value only
    assertThat(tokens("Patient", id, "telecom"))
        .containsExactlyInAnyOrder("null|+49 30 1234567|null", "null|ana@example.org|null");
    assertThat(tokens("Patient", id, "phone")).containsExactly("null|+49 30 1234567|null");
    assertThat(tokens("Patient", id, "email")).containsExactly("null|ana@example.org|null");
    assertThat(tokens("Patient", id, "address-use")).containsExactly("http://hl7.org/fhir/address-use|home|null");
    // no deceased[x]: the expression "deceased.exists() and deceased != false" is false
    assertThat(tokens("Patient", id, "deceased")).containsExactly("null|false|null");
  }

  @Test
  void primitivesWithExtensionsButNoValueAreStoredWithoutRows() {
    // valid FHIR: a primitive may carry only an extension (here: why the value is absent)
    String absent = "{\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/data-absent-reason\","
        + "\"valueCode\":\"unknown\"}]}";
    String id = create("Patient", "{\"resourceType\":\"Patient\",\"_gender\":" + absent + ",\"_birthDate\":"
        + absent + ",\"_active\":" + absent + ",\"name\":[{\"_family\":" + absent + ",\"given\":[\"Ida\"]}]}");
    utf8().get("/Patient/" + id).then().statusCode(200)
        .body("_gender.extension[0].valueCode", equalTo("unknown"))
        .body("name[0].given[0]", equalTo("Ida"));
    assertThat(tokens("Patient", id, "gender")).isEmpty();
    assertThat(tokens("Patient", id, "active")).isEmpty();
    assertThat(dates("Patient", id, "birthdate")).isEmpty();
    assertThat(strings("Patient", id, "family")).isEmpty();
    assertThat(strings("Patient", id, "given")).containsExactly("IDA|Ida");
  }

  @Test
  void patientDateRowsCoverTheWholePrecisionOfTheValue() {
    String month = create("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"1970-03\"}");
    assertThat(dates("Patient", month, "birthdate"))
        .containsExactly("1970-03-01T00:00:00Z..1970-03-31T23:59:59.999Z");

    String day = create("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"1980-05-17\"}");
    assertThat(dates("Patient", day, "birthdate"))
        .containsExactly("1980-05-17T00:00:00Z..1980-05-17T23:59:59.999Z");

    String year = create("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"1968\"}");
    assertThat(dates("Patient", year, "birthdate"))
        .containsExactly("1968-01-01T00:00:00Z..1968-12-31T23:59:59.999Z");

    // February of a leap year ends on the 29th
    String leap = create("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"2000-02\"}");
    assertThat(dates("Patient", leap, "birthdate"))
        .containsExactly("2000-02-01T00:00:00Z..2000-02-29T23:59:59.999Z");

  }

  @Test
  void deathDateFromDeceasedDateTime() {
    // "(Patient.deceased as dateTime)": a dateTime with offset is stored in UTC, seconds precision
    // spans that second
    String dead = create("Patient",
        "{\"resourceType\":\"Patient\",\"deceasedDateTime\":\"2020-01-02T03:04:05+02:00\"}");
    assertThat(tokens("Patient", dead, "deceased")).containsExactly("null|true|null");
    assertThat(dates("Patient", dead, "birthdate")).isEmpty();
    assertThat(dates("Patient", dead, "death-date"))
        .containsExactly("2020-01-02T01:04:05Z..2020-01-02T01:04:05.999Z");
  }

  @Test
  void patientReferenceRows() {
    String id = create("Patient", """
        {"resourceType":"Patient",
         "contained":[{"resourceType":"Practitioner","id":"gp","name":[{"family":"Inline"}]}],
         "generalPractitioner":[
            {"reference":"Practitioner/p-1"},
            {"reference":"http://other.example.org/fhir/Practitioner/ext-9"},
            {"reference":"#gp"},
            {"identifier":{"system":"urn:test:npi","value":"123"},"display":"logical only"}],
         "managingOrganization":{"reference":"Organization/o-1/_history/3"},
         "link":[{"other":{"reference":"Patient/other-1"},"type":"seealso"}]}""");

    // relative: type and id; absolute (another server): the URL only, so it never matches a local
    // Practitioner/ext-9; contained and logical-only: no reference row
    assertThat(references("Patient", id, "general-practitioner")).containsExactlyInAnyOrder(
        "Practitioner|p-1|null",
        "null|null|http://other.example.org/fhir/Practitioner/ext-9");
    // a versioned reference is indexed without its version
    assertThat(references("Patient", id, "organization")).containsExactly("Organization|o-1|null");
    assertThat(references("Patient", id, "link")).containsExactly("Patient|other-1|null");
  }

  @Test
  void urnReferencesKeepTheUrnAsUrl() {
    String urn = "urn:uuid:" + java.util.UUID.randomUUID();
    String id = create("Patient",
        "{\"resourceType\":\"Patient\",\"managingOrganization\":{\"reference\":\"" + urn + "\"}}");
    assertThat(references("Patient", id, "organization")).containsExactly("null|null|" + urn);
  }

  // ---- DiagnosticReport -----------------------------------------------------------------------

  @Test
  void diagnosticReportRows() {
    String pid = create("Patient", "{\"resourceType\":\"Patient\"}");
    String id = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD",
                                 "display":"Radiology"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"24627-2","display":"Chest CT"},
                           {"system":"urn:test:local","code":"CTCH"}],
                 "text":"CT Thorax"},
         "subject":{"reference":"Patient/%s"},
         "basedOn":[{"reference":"ServiceRequest/sr-1"}],
         "resultsInterpreter":[{"reference":"Practitioner/rad-1"}],
         "effectiveDateTime":"2024-01-15T10:30:00+01:00",
         "issued":"2024-01-15T12:00:00.123Z"}""".formatted(pid));

    assertThat(references("DiagnosticReport", id, "subject")).containsExactly("Patient|" + pid + "|null");
    assertThat(references("DiagnosticReport", id, "patient")).containsExactly("Patient|" + pid + "|null");
    assertThat(references("DiagnosticReport", id, "based-on")).containsExactly("ServiceRequest|sr-1|null");
    assertThat(references("DiagnosticReport", id, "results-interpreter"))
        .containsExactly("Practitioner|rad-1|null");
    // the display of a coding, or else the text of the concept, is the token's text
    assertThat(tokens("DiagnosticReport", id, "code")).containsExactlyInAnyOrder(
        LOINC + "|24627-2|CHEST CT", "urn:test:local|CTCH|CT THORAX");
    assertThat(tokens("DiagnosticReport", id, "status"))
        .containsExactly("http://hl7.org/fhir/diagnostic-report-status|final|null");
    assertThat(tokens("DiagnosticReport", id, "category"))
        .containsExactly("http://terminology.hl7.org/CodeSystem/v2-0074|RAD|RADIOLOGY");
    assertThat(dates("DiagnosticReport", id, "date"))
        .containsExactly("2024-01-15T09:30:00Z..2024-01-15T09:30:00.999Z");
    // an instant with milliseconds is a point in time
    assertThat(dates("DiagnosticReport", id, "issued"))
        .containsExactly("2024-01-15T12:00:00.123Z..2024-01-15T12:00:00.123Z");
  }

  @Test
  void diagnosticReportPatientParameterOnlyForPatientSubjects() {
    String id = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},
         "subject":{"reference":"Group/g-1"},
         "effectivePeriod":{"start":"2024-02-01T08:00:00Z","end":"2024-02-01T09:00:00Z"}}""");
    assertThat(references("DiagnosticReport", id, "subject")).containsExactly("Group|g-1|null");
    assertThat(references("DiagnosticReport", id, "patient")).isEmpty();
    // a period spans from its start to the end of its end
    assertThat(dates("DiagnosticReport", id, "date"))
        .containsExactly("2024-02-01T08:00:00Z..2024-02-01T09:00:00.999Z");
    // a code with text only: a token row with the text alone
    assertThat(tokens("DiagnosticReport", id, "code")).containsExactly("null|null|CT");
  }

  @Test
  void openPeriodsAreOpenEndedAndMinutePrecisionSpansTheMinute() {
    String open = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"preliminary","code":{"text":"MR"},
         "effectivePeriod":{"start":"2024-02-01"}}""");
    assertThat(dates("DiagnosticReport", open, "date")).containsExactly("2024-02-01T00:00:00Z.." + MAX);

    String openStart = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"preliminary","code":{"text":"MR"},
         "effectivePeriod":{"end":"2024-02-03"}}""");
    assertThat(dates("DiagnosticReport", openStart, "date"))
        .containsExactly("0001-01-01T00:00:00Z..2024-02-03T23:59:59.999Z");

    String minute = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"MR"},
         "effectiveDateTime":"2024-06-30T23:59-05:00"}""");
    assertThat(dates("DiagnosticReport", minute, "date"))
        .containsExactly("2024-07-01T04:59:00Z..2024-07-01T04:59:59.999Z");
  }

  @Test
  void instantsAreStoredExactlyWhateverTheServerTimeZone() {
    // 00:30Z and 01:30Z are both 02:30 local time in Central Europe (end of summer time), and
    // 1500-06-01 lies before the Gregorian reform: a conversion through local or Julian calendar
    // time would move these
    String a = create("DiagnosticReport", """
        {"resourceType":"DiagnosticReport","status":"final","code":{"text":"x"},
         "effectiveDateTime":"2023-10-29T00:30:00Z","issued":"2023-10-29T01:30:00.000Z"}""");
    assertThat(dates("DiagnosticReport", a, "date")).containsExactly("2023-10-29T00:30:00Z..2023-10-29T00:30:00.999Z");
    assertThat(dates("DiagnosticReport", a, "issued")).containsExactly("2023-10-29T01:30:00Z..2023-10-29T01:30:00Z");
    String b = create("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"1500-06-01\"}");
    assertThat(dates("Patient", b, "birthdate")).containsExactly("1500-06-01T00:00:00Z..1500-06-01T23:59:59.999Z");
  }

  // ---- ImagingStudy ---------------------------------------------------------------------------

  @Test
  void imagingStudyRows() {
    String pid = create("Patient", "{\"resourceType\":\"Patient\"}");
    String studyUid = "1.2.826.0.1.3680043.8.498." + System.nanoTime();
    String seriesUid = studyUid + ".1";
    String inst1 = seriesUid + ".1";
    String inst2 = seriesUid + ".2";
    String id = create("ImagingStudy", """
        {"resourceType":"ImagingStudy","status":"available",
         "identifier":[{"system":"urn:dicom:uid","value":"urn:oid:%1$s"}],
         "subject":{"reference":"Patient/%2$s"},
         "basedOn":[{"reference":"ServiceRequest/sr-7"}],
         "endpoint":[{"reference":"Endpoint/wado-1"}],
         "started":"2024-03-01T10:00:00Z",
         "series":[{"uid":"%3$s","number":1,
                    "modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT",
                                "display":"Computed Tomography"},
                    "bodySite":{"system":"http://snomed.info/sct","code":"51185008"},
                    "endpoint":[{"reference":"Endpoint/wado-2"}],
                    "instance":[{"uid":"%4$s","sopClass":{"system":"urn:ietf:rfc:3986",
                                  "code":"urn:oid:1.2.840.10008.5.1.4.1.1.2"}},
                                {"uid":"%5$s","sopClass":{"system":"urn:ietf:rfc:3986",
                                  "code":"urn:oid:1.2.840.10008.5.1.4.1.1.2"}}]}]}"""
        .formatted(studyUid, pid, seriesUid, inst1, inst2));

    assertThat(tokens("ImagingStudy", id, "identifier")).containsExactly("urn:dicom:uid|urn:oid:" + studyUid + "|null");
    assertThat(tokens("ImagingStudy", id, "modality")).containsExactly(DCM + "|CT|COMPUTED TOMOGRAPHY");
    assertThat(tokens("ImagingStudy", id, "series")).containsExactly("null|" + seriesUid + "|null");
    assertThat(tokens("ImagingStudy", id, "instance"))
        .containsExactlyInAnyOrder("null|" + inst1 + "|null", "null|" + inst2 + "|null");
    assertThat(tokens("ImagingStudy", id, "bodysite")).containsExactly("http://snomed.info/sct|51185008|null");
    // the two instances share their SOP class: one row answers both
    assertThat(tokens("ImagingStudy", id, "dicom-class")).containsExactly(
        "urn:ietf:rfc:3986|urn:oid:1.2.840.10008.5.1.4.1.1.2|null");
    assertThat(tokens("ImagingStudy", id, "status"))
        .containsExactly("http://hl7.org/fhir/imagingstudy-status|available|null");
    assertThat(dates("ImagingStudy", id, "started")).containsExactly("2024-03-01T10:00:00Z..2024-03-01T10:00:00.999Z");
    assertThat(references("ImagingStudy", id, "subject")).containsExactly("Patient|" + pid + "|null");
    assertThat(references("ImagingStudy", id, "patient")).containsExactly("Patient|" + pid + "|null");
    assertThat(references("ImagingStudy", id, "basedon")).containsExactly("ServiceRequest|sr-7|null");
    assertThat(references("ImagingStudy", id, "endpoint"))
        .containsExactlyInAnyOrder("Endpoint|wado-1|null", "Endpoint|wado-2|null");
  }

  // ---- quantity, number, uri ------------------------------------------------------------------

  @Test
  void observationQuantityRows() {
    String id = create("Observation", """
        {"resourceType":"Observation","status":"final","code":{"text":"dose"},
         "valueQuantity":{"value":5.40,"unit":"milligram","system":"http://unitsofmeasure.org","code":"mg"},
         "component":[{"code":{"text":"rate"},
                       "valueQuantity":{"value":12,"unit":"per min","system":"http://unitsofmeasure.org","code":"/min"}}]}""");
    assertThat(quantities("Observation", id, "value-quantity")).containsExactly("5.4|" + UCUM + "|mg|milligram");
    assertThat(quantities("Observation", id, "component-value-quantity"))
        .containsExactly("12|" + UCUM + "|/min|per min");
    assertThat(quantities("Observation", id, "combo-value-quantity"))
        .containsExactlyInAnyOrder("5.4|" + UCUM + "|mg|milligram", "12|" + UCUM + "|/min|per min");
    // the stored value keeps its exact decimal value
    assertThat(jdbc.queryForObject("SELECT x.value FROM idx_quantity x" + JOIN, BigDecimal.class,
        "Observation", id, "value-quantity")).isEqualByComparingTo("5.40");
  }

  @Test
  void substanceQuantityRows() {
    String id = create("Substance", """
        {"resourceType":"Substance","code":{"text":"contrast agent"},
         "instance":[{"quantity":{"value":100.0,"unit":"millilitre","system":"http://unitsofmeasure.org","code":"mL"}},
                     {"quantity":{"value":2,"unit":"vials"}}]}""");
    assertThat(quantities("Substance", id, "quantity")).containsExactlyInAnyOrder(
        "100|" + UCUM + "|mL|millilitre", "2|null|null|vials");
  }

  @Test
  void riskAssessmentProbabilityNumberRows() {
    String id = create("RiskAssessment", """
        {"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/ra-p"},
         "prediction":[{"outcome":{"text":"stroke"},"probabilityDecimal":0.25},
                       {"outcome":{"text":"death"},"probabilityDecimal":0.0125}]}""");
    assertThat(numbers("RiskAssessment", id, "probability")).containsExactlyInAnyOrder("0.25", "0.0125");
    assertThat(references("RiskAssessment", id, "patient")).containsExactly("Patient|ra-p|null");
  }

  @Test
  void uriRowsForCanonicalUrl() {
    String url = "http://example.org/fhir/ValueSet/" + unique("vs");
    String id = create("ValueSet", """
        {"resourceType":"ValueSet","url":"%s","version":"1.0.0","name":"TestSet","status":"active",
         "meta":{"profile":["http://example.org/fhir/StructureDefinition/test-value-set"]},
         "compose":{"include":[{"system":"http://loinc.org"}]}}""".formatted(url));
    assertThat(uris("ValueSet", id, "url")).containsExactly(url);
    assertThat(uris("ValueSet", id, "reference")).containsExactly("http://loinc.org");
    assertThat(tokens("ValueSet", id, "version")).containsExactly("null|1.0.0|null");
    assertThat(strings("ValueSet", id, "name")).containsExactly("TESTSET|TestSet");
  }

  // ---- meta -----------------------------------------------------------------------------------

  @Test
  void metaTagSecurityAndProfileRows() {
    String id = create("Patient", """
        {"resourceType":"Patient",
         "meta":{"profile":["http://example.org/StructureDefinition/rad-patient"],
                 "tag":[{"system":"urn:test:tags","code":"t1","display":"Tag One"},{"code":"bare"}],
                 "security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R",
                              "display":"restricted"}]},
         "gender":"male"}""");
    assertThat(tokens("Patient", id, "_tag")).containsExactlyInAnyOrder("urn:test:tags|t1|TAG ONE", "null|bare|null");
    assertThat(tokens("Patient", id, "_security"))
        .containsExactly("http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R|RESTRICTED");
    assertThat(uris("Patient", id, "_profile")).containsExactly("http://example.org/StructureDefinition/rad-patient");
    // _id and _lastUpdated are answered from the resource table, never from index rows
    assertThat(tokens("Patient", id, "_id")).isEmpty();
    assertThat(dates("Patient", id, "_lastUpdated")).isEmpty();
  }

  // ---- update, delete, transactions -----------------------------------------------------------

  private static String patientV(String id, String family, String city, String mrn) {
    return """
        {"resourceType":"Patient",%s"identifier":[{"system":"urn:test:mrn","value":"%s"}],
         "name":[{"family":"%s","given":["Eva"]}],"address":[{"city":"%s"}],
         "birthDate":"1975-07-01","generalPractitioner":[{"reference":"Practitioner/gp-%s"}],
         "meta":{"tag":[{"system":"urn:test:tags","code":"%s"}]}}"""
        .formatted(id == null ? "" : "\"id\":\"" + id + "\",", mrn, family, city, family, family);
  }

  @Test
  void updateReplacesAllRowsWithoutLeftoversOrDuplicates() {
    String mrn = unique("mrn");
    String id = create("Patient", patientV(null, "Alt", "Porto", mrn));
    assertThat(strings("Patient", id, "family")).containsExactly("ALT|Alt");

    update("Patient", id, patientV(id, "Neu", "Faro", mrn), 2);
    assertThat(strings("Patient", id, "family")).containsExactly("NEU|Neu");
    assertThat(strings("Patient", id, "address-city")).containsExactly("FARO|Faro");
    assertThat(references("Patient", id, "general-practitioner")).containsExactly("Practitioner|gp-Neu|null");
    assertThat(tokens("Patient", id, "identifier")).containsExactly("urn:test:mrn|" + mrn + "|null");
    assertThat(dates("Patient", id, "birthdate")).containsExactly("1975-07-01T00:00:00Z..1975-07-01T23:59:59.999Z");

    // the same content again: still exactly one set of rows
    update("Patient", id, patientV(id, "Neu", "Faro", mrn), 3);
    List<String> afterUpdates = allRows("Patient", id);
    // identical to the rows of a resource created with that content
    String fresh = create("Patient", patientV(null, "Neu", "Faro", mrn));
    assertThat(afterUpdates).containsExactlyInAnyOrderElementsOf(allRows("Patient", fresh));
    assertThat(afterUpdates).doesNotHaveDuplicates();
    assertThat(afterUpdates).noneMatch(r -> r.contains("Alt") || r.contains("Porto") || r.contains("PORTO"));

    // removing elements removes their rows
    update("Patient", id, "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"gender\":\"other\"}", 4);
    Map<String, Long> counts = rowCounts("Patient", id);
    assertThat(counts.get("idx_string")).isZero();
    assertThat(counts.get("idx_reference")).isZero();
    assertThat(counts.get("idx_date")).isZero();
    assertThat(tokens("Patient", id, "gender")).containsExactly("http://hl7.org/fhir/administrative-gender|other|null");
    assertThat(tokens("Patient", id, "identifier")).isEmpty();
    assertThat(versions("Patient", id)).isEqualTo(4);
  }

  @Test
  void deleteRemovesEveryIndexRowAndKeepsTheVersions() {
    String id = create("ValueSet", """
        {"resourceType":"ValueSet","url":"http://example.org/fhir/ValueSet/%s","name":"Gone","status":"draft",
         "date":"2024-01-01","identifier":[{"system":"urn:test:vs","value":"x"}],
         "useContext":[{"code":{"system":"http://terminology.hl7.org/CodeSystem/usage-context-type","code":"age"},
                        "valueQuantity":{"value":18,"system":"http://unitsofmeasure.org","code":"a"}}]}"""
        .formatted(unique("vs")));
    String obs = create("Observation", """
        {"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p-del"},
         "valueQuantity":{"value":1,"system":"http://unitsofmeasure.org","code":"mg"}}""");
    String sub = create("Substance", """
        {"resourceType":"Substance","code":{"text":"x"},"instance":[{"quantity":{"value":3,"code":"mL"}}]}""");
    String ra = create("RiskAssessment", """
        {"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/p-del"},
         "prediction":[{"probabilityDecimal":0.5}]}""");
    // every index table has rows before the deletes
    assertThat(rowCounts("ValueSet", id)).allSatisfy((table, n) -> {
      if (!table.equals("idx_number") && !table.equals("idx_reference") && !table.equals("idx_quantity")) {
        assertThat(n).as(table).isPositive();
      }
    });
    assertThat(rowCounts("Observation", obs).get("idx_reference")).isPositive();
    assertThat(rowCounts("RiskAssessment", ra).get("idx_number")).isPositive();
    assertThat(rowCounts("Substance", sub).get("idx_quantity")).isPositive();

    for (String[] r : List.of(new String[] {"ValueSet", id}, new String[] {"Observation", obs},
        new String[] {"RiskAssessment", ra}, new String[] {"Substance", sub})) {
      RestAssured.given().accept("application/fhir+json").delete("/" + r[0] + "/" + r[1]).then().statusCode(200);
      assertThat(rowCounts(r[0], r[1])).as(r[0]).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
      assertThat(versions(r[0], r[1])).isEqualTo(2);
      assertThat(count("SELECT count(*) FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
          + " WHERE r.res_type = ? AND r.res_id = ? AND v.version_id = 1 AND v.content IS NOT NULL", r[0], r[1]))
          .isEqualTo(1);
      assertThat(jdbc.queryForObject("SELECT v.method FROM resource_version v JOIN resource r ON r.res_pk = v.res_pk"
          + " WHERE r.res_type = ? AND r.res_id = ? AND v.version_id = 2", String.class, r[0], r[1]))
          .isEqualTo("DELETE");
    }
    // no row anywhere still points at the deleted resources' keys
    for (String table : INDEX_TABLES) {
      assertThat(count("SELECT count(*) FROM " + table + " x WHERE x.res_pk IN (SELECT res_pk FROM resource"
          + " WHERE (res_type, res_id) IN ((?, ?), (?, ?), (?, ?), (?, ?)))", "ValueSet", id, "Observation", obs,
          "RiskAssessment", ra, "Substance", sub)).as(table).isZero();
    }
  }

  @Test
  void recreateAfterDeleteIndexesTheNewContent() {
    String id = create("Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"First\"}]}");
    RestAssured.given().delete("/Patient/" + id).then().statusCode(200);
    update("Patient", id, "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"Second\"}]}", 3,
        201);
    assertThat(strings("Patient", id, "family")).containsExactly("SECOND|Second");
  }

  @Test
  void failedUpdateLeavesTheIndexRowsOfTheCurrentVersion() {
    String mrn = unique("mrn");
    String id = create("Patient", patientV(null, "Eins", "Braga", mrn));
    update("Patient", id, patientV(id, "Zwei", "Evora", mrn), 2);
    List<String> before = allRows("Patient", id);
    assertThat(before).contains("s:family:ZWEI|Zwei");

    utf8().header("If-Match", "W/\"1\"").body(patientV(id, "Drei", "Tavira", mrn)).put("/Patient/" + id)
        .then().statusCode(412);
    assertThat(allRows("Patient", id)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(versions("Patient", id)).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'Patient' AND res_id = ? AND version_id = 2", id))
        .isEqualTo(1);

    // a body that does not match the URL is refused before anything is written
    utf8().body(patientV("some-other-id", "Vier", "Lagos", mrn)).put("/Patient/" + id).then().statusCode(400);
    assertThat(allRows("Patient", id)).containsExactlyInAnyOrderElementsOf(before);
    assertThat(versions("Patient", id)).isEqualTo(2);
  }

  @Test
  void updateThatTheIndexCannotStoreIsAllOrNothing() {
    String mrn = unique("mrn");
    String id = create("Patient", patientV(null, "Sechs", "Sines", mrn));
    List<String> before = allRows("Patient", id);
    // a second identifier longer than the token columns; whatever the server answers, the
    // resource and its index rows must agree afterwards
    String longValue = "7".repeat(700);
    String body = patientV(id, "Sieben", "Olhao", mrn).replace("\"identifier\":[",
        "\"identifier\":[{\"system\":\"urn:test:long\",\"value\":\"" + longValue + "\"},");
    int status = utf8().body(body).put("/Patient/" + id).then().extract().statusCode();
    if (status >= 200 && status < 300) {
      assertThat(versions("Patient", id)).isEqualTo(2);
      assertThat(strings("Patient", id, "family")).containsExactly("SIEBEN|Sieben");
      assertThat(tokens("Patient", id, "identifier")).hasSize(2);
    } else {
      assertThat(versions("Patient", id)).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'Patient' AND res_id = ? AND version_id = 1",
          id)).isEqualTo(1);
      assertThat(allRows("Patient", id)).containsExactlyInAnyOrderElementsOf(before);
      utf8().get("/Patient/" + id).then().statusCode(200).body("name[0].family", equalTo("Sechs"));
    }
  }

  @Test
  void resourceAndIndexRowsCommitTogetherUnderConcurrentUpdates() throws Exception {
    String mrn = unique("mrn");
    String id = create("Patient", patientV(null, "Start", "Beja", mrn));
    int writers = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String family = "Writer" + i;
        results.add(pool.submit(() -> utf8().body(patientV(id, family, "City" + family, mrn))
            .put("/Patient/" + id).then().extract().statusCode()));
      }
      for (var f : results) {
        assertThat(f.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    // the rows are exactly those of the version that is current, and only one set of them
    String family = RestAssured.given().accept("application/fhir+json").get("/Patient/" + id).then().statusCode(200)
        .extract().jsonPath().getString("name[0].family");
    assertThat(strings("Patient", id, "family")).containsExactly(family.toUpperCase() + "|" + family);
    assertThat(strings("Patient", id, "address-city")).containsExactly(
        ("City" + family).toUpperCase() + "|City" + family);
    assertThat(versions("Patient", id)).isEqualTo(1 + writers);
  }
}
