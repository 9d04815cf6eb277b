package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * Type-level search as FHIR R4 defines it, through the REST API. Every resource a test creates
 * carries the test's own tag ({@code urn:test|<uuid>}) and every search includes it, so data of
 * other tests in the shared database never shows up; every search asserts the exact set (or
 * sequence) of ids it returns.
 */
class SearchTest extends ServerTestBase {
  private static final String TAG_SYSTEM = "urn:test";
  private static final String UCUM = "http://unitsofmeasure.org";
  private static final String LOINC = "http://loinc.org";
  private static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";
  private static final String GENDER = "http://hl7.org/fhir/administrative-gender";

  /** This test's tag code, on every resource it creates and in every search it makes. */
  private String tag;

  @BeforeEach
  void newTag() {
    tag = UUID.randomUUID().toString();
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** JSON with an explicit UTF-8 charset, so non-ASCII values reach the server intact. */
  private RequestSpecification utf8() {
    return RestAssured.given().contentType("application/fhir+json; charset=UTF-8").accept("application/fhir+json");
  }

  private String tagJson() {
    return "{\"system\":\"" + TAG_SYSTEM + "\",\"code\":\"" + tag + "\"}";
  }

  /** A resource body: the type, this test's tag in meta, and the given JSON members. */
  private String body(String type, String members) {
    return "{\"resourceType\":\"" + type + "\",\"meta\":{\"tag\":[" + tagJson() + "]}"
        + (members.isBlank() ? "" : "," + members) + "}";
  }

  /** Creates a resource carrying this test's tag; returns its id. */
  private String create(String type, String members) {
    return utf8().body(body(type, members)).post("/" + type).then().statusCode(201).extract().jsonPath()
        .getString("id");
  }

  /** Creates (or updates) a resource with a client-chosen id, carrying this test's tag. */
  private void put(String type, String id, String members) {
    String b = body(type, members).replaceFirst("\\{", "{\"id\":\"" + id + "\",");
    utf8().body(b).put("/" + type + "/" + id).then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The query string: this test's tag, then name/value pairs (values URL-encoded), then _count=500 unless given. */
  private String query(String... kv) {
    StringBuilder sb = new StringBuilder("_tag=").append(enc(TAG_SYSTEM + "|" + tag));
    boolean count = false;
    for (int i = 0; i < kv.length; i += 2) {
      sb.append('&').append(kv[i]).append('=').append(enc(kv[i + 1]));
      count |= kv[i].equals("_count");
    }
    if (!count) {
      sb.append("&_count=500");
    }
    return sb.toString();
  }

  private Response get(String type, String... kv) {
    return utf8().urlEncodingEnabled(false).get("/" + type + "?" + query(kv));
  }

  /** GET search that must answer 200 with a searchset; the bundle. */
  private JsonPath search(String type, String... kv) {
    JsonPath b = get(type, kv).then().statusCode(200).extract().jsonPath();
    assertThat(b.getString("resourceType")).isEqualTo("Bundle");
    assertThat(b.getString("type")).isEqualTo("searchset");
    return b;
  }

  /** Ids of the entries with search.mode = match, in bundle order. */
  private static List<String> matchIds(JsonPath b) {
    List<String> ids = b.getList("entry.findAll { it.search.mode == 'match' }.resource.id");
    return ids == null ? List.of() : ids;
  }

  /** Type/id of the entries with search.mode = include. */
  private static List<String> includeRefs(JsonPath b) {
    List<String> refs = b.getList("entry.findAll { it.search.mode == 'include' }.collect { it.resource.resourceType + '/' + it.resource.id }");
    return refs == null ? List.of() : refs;
  }

  /** Ids of the matches of a search, in order. */
  private List<String> ids(String type, String... kv) {
    JsonPath b = search(type, kv);
    List<Object> modes = b.getList("entry.search.mode");
    if (modes != null) {
      assertThat(modes).as("entries of a search without _include are all matches").allMatch("match"::equals);
    }
    return matchIds(b);
  }

  private static String link(JsonPath b, String relation) {
    return b.getString("link.find { it.relation == '" + relation + "' }.url");
  }

  private JsonPath follow(String url) {
    assertThat(url).startsWith(base());
    return utf8().get(url.substring(base().length())).then().statusCode(200).extract().jsonPath();
  }

  private static List<String> reversed(List<String> l) {
    List<String> r = new ArrayList<>(l);
    Collections.reverse(r);
    return r;
  }

  private void assertError(Response r, int status, String diagnosticsContains) {
    r.then().statusCode(status)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].severity", org.hamcrest.Matchers.anyOf(equalTo("error"), equalTo("fatal")))
        .body("issue[0].diagnostics", containsString(diagnosticsContains));
  }

  private String patient(String members) {
    return create("Patient", members);
  }

  private String dr(String members) {
    return create("DiagnosticReport", members);
  }

  private static String code(String system, String code, String display) {
    return "{\"coding\":[{\"system\":\"" + system + "\",\"code\":\"" + code + "\""
        + (display == null ? "" : ",\"display\":\"" + display + "\"") + "}]}";
  }

  // ---- string ---------------------------------------------------------------------------------

  @Test
  void stringDefaultIsStartsWithCaseAndAccentInsensitive() {
    String a = patient("\"name\":[{\"family\":\"Müller\",\"given\":[\"Hans\"]}],\"address\":[{\"city\":\"Zürich\"}]");
    String b = patient("\"name\":[{\"family\":\"Mullins\",\"given\":[\"Anna\",\"Maria\"]}],\"address\":[{\"city\":\"Bern\"}]");
    String c = patient("\"name\":[{\"family\":\"Amull\",\"given\":[\"Peter\"]}],\"address\":[{\"city\":\"Mulhouse\"}]");
    String d = patient("\"name\":[{\"family\":\"Müller-Lüdenscheidt\"}]");
    String e = patient("\"name\":[{\"family\":\"Weber\",\"given\":[\"Müllerin\"]}]");

    assertThat(ids("Patient", "family", "mull")).containsExactlyInAnyOrder(a, b, d);
    assertThat(ids("Patient", "family", "MÜLL")).containsExactlyInAnyOrder(a, b, d);
    assertThat(ids("Patient", "family", "müller")).containsExactlyInAnyOrder(a, d);
    assertThat(ids("Patient", "family", "Muller")).containsExactlyInAnyOrder(a, d);
    // starts-with on the whole value, not a substring
    assertThat(ids("Patient", "family", "ller")).isEmpty();
    assertThat(ids("Patient", "family", "mullinsx")).isEmpty();
    // name covers family and given
    assertThat(ids("Patient", "name", "mull")).containsExactlyInAnyOrder(a, b, d, e);
    assertThat(ids("Patient", "name", "maria")).containsExactlyInAnyOrder(b);
    assertThat(ids("Patient", "given", "mull")).containsExactlyInAnyOrder(e);
    assertThat(ids("Patient", "given", "AN")).containsExactlyInAnyOrder(b);
    assertThat(ids("Patient", "address-city", "zur")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "address-city", "ZÜRICH")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "address-city", "mul")).containsExactlyInAnyOrder(c);
  }

  @Test
  void stringExactAndContains() {
    String a = patient("\"name\":[{\"family\":\"Müller\",\"given\":[\"Hans\"]}],\"address\":[{\"city\":\"Zürich\"}]");
    String b = patient("\"name\":[{\"family\":\"Mullins\",\"given\":[\"Anna\"]}],\"address\":[{\"city\":\"Bern\"}]");
    String c = patient("\"name\":[{\"family\":\"Amull\"}]");
    String d = patient("\"name\":[{\"family\":\"Müller-Lüdenscheidt\"}]");
    String e = patient("\"name\":[{\"family\":\"Weber\",\"given\":[\"Müllerin\"]}]");

    // :exact is case- and accent-sensitive and compares the whole value
    assertThat(ids("Patient", "family:exact", "Müller")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "family:exact", "müller")).isEmpty();
    assertThat(ids("Patient", "family:exact", "Muller")).isEmpty();
    assertThat(ids("Patient", "family:exact", "Müll")).isEmpty();
    assertThat(ids("Patient", "name:exact", "Müller")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "given:exact", "Anna")).containsExactlyInAnyOrder(b);
    assertThat(ids("Patient", "given:exact", "anna")).isEmpty();
    assertThat(ids("Patient", "address-city:exact", "Zürich")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "address-city:exact", "zürich")).isEmpty();
    // :contains anywhere in the value, case- and accent-insensitive
    assertThat(ids("Patient", "family:contains", "LLER")).containsExactlyInAnyOrder(a, d);
    assertThat(ids("Patient", "family:contains", "mull")).containsExactlyInAnyOrder(a, b, c, d);
    assertThat(ids("Patient", "family:contains", "lüden")).containsExactlyInAnyOrder(d);
    assertThat(ids("Patient", "name:contains", "ller")).containsExactlyInAnyOrder(a, d, e);
    assertThat(ids("Patient", "given:contains", "nn")).containsExactlyInAnyOrder(b);
    assertThat(ids("Patient", "address-city:contains", "RICH")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "address-city:contains", "xyz")).isEmpty();
  }

  // ---- token ----------------------------------------------------------------------------------

  @Test
  void tokenOnIdentifierAndGender() {
    String sys = "urn:test:mrn:" + tag;
    String sys2 = "urn:test:other:" + tag;
    String p1 = patient("\"identifier\":[{\"system\":\"" + sys + "\",\"value\":\"111\"}],\"gender\":\"male\"");
    String p2 = patient("\"identifier\":[{\"system\":\"" + sys + "\",\"value\":\"222\"}],\"gender\":\"female\"");
    String p3 = patient("\"identifier\":[{\"value\":\"111\"}]");
    String p4 = patient("\"identifier\":[{\"system\":\"" + sys2 + "\",\"value\":\"111\"}],\"gender\":\"unknown\"");

    assertThat(ids("Patient", "identifier", sys + "|111")).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "identifier", "111")).containsExactlyInAnyOrder(p1, p3, p4);
    assertThat(ids("Patient", "identifier", "|111")).containsExactlyInAnyOrder(p3);
    assertThat(ids("Patient", "identifier", sys + "|")).containsExactlyInAnyOrder(p1, p2);
    assertThat(ids("Patient", "identifier", sys + "|333")).isEmpty();
    assertThat(ids("Patient", "identifier", sys + "|111," + sys2 + "|111")).containsExactlyInAnyOrder(p1, p4);
    assertThat(ids("Patient", "identifier:not", sys + "|111")).containsExactlyInAnyOrder(p2, p3, p4);

    assertThat(ids("Patient", "gender", "male")).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "gender", "male,female")).containsExactlyInAnyOrder(p1, p2);
    assertThat(ids("Patient", "gender", GENDER + "|female")).containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "gender", GENDER + "|")).containsExactlyInAnyOrder(p1, p2, p4);
    // :not also returns resources without any value
    assertThat(ids("Patient", "gender:not", "male")).containsExactlyInAnyOrder(p2, p3, p4);
    assertThat(ids("Patient", "gender:not", "male,female")).containsExactlyInAnyOrder(p3, p4);
  }

  @Test
  void tokenOnDiagnosticReportCodeStatusCategoryAndText() {
    String rad = "\"category\":[" + code(V2_0074, "RAD", null) + "]";
    String d1 = dr("\"status\":\"final\"," + rad + ",\"code\":{\"coding\":[{\"system\":\"" + LOINC
        + "\",\"code\":\"36643-5\",\"display\":\"XR Chest 2 Views\"}]}");
    String d2 = dr("\"status\":\"preliminary\"," + rad + ",\"code\":" + code(LOINC, "24627-2", "CT Chest"));
    String d3 = dr("\"status\":\"final\",\"category\":[" + code(V2_0074, "LAB", null) + "],\"code\":{\"text\":\"Blood panel\"}");
    String d4 = dr("\"status\":\"amended\",\"code\":" + code("urn:local:" + tag, "36643-5", null));

    assertThat(ids("DiagnosticReport", "status", "final")).containsExactlyInAnyOrder(d1, d3);
    assertThat(ids("DiagnosticReport", "status", "final,amended")).containsExactlyInAnyOrder(d1, d3, d4);
    assertThat(ids("DiagnosticReport", "status:not", "final")).containsExactlyInAnyOrder(d2, d4);
    assertThat(ids("DiagnosticReport", "category", V2_0074 + "|RAD")).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "category", "RAD")).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "category", V2_0074 + "|")).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(ids("DiagnosticReport", "category", "http://other.example/cs|RAD")).isEmpty();
    assertThat(ids("DiagnosticReport", "code", LOINC + "|36643-5")).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "code", "36643-5")).containsExactlyInAnyOrder(d1, d4);
    assertThat(ids("DiagnosticReport", "code", LOINC + "|")).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "code", "|36643-5")).isEmpty();
    // :text: starts-with, case- and accent-insensitive, on Coding.display and CodeableConcept.text
    assertThat(ids("DiagnosticReport", "code:text", "xr chest")).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "code:text", "CT")).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "code:text", "blood")).containsExactlyInAnyOrder(d3);
    assertThat(ids("DiagnosticReport", "code:text", "36643")).isEmpty();
  }

  @Test
  void tokenTextAlsoMatchesCodeableConceptTextWhenTheCodingHasADisplay() {
    // R4: ":text ... searches text associated with the code/value - CodeableConcept.text or Coding.display"
    String d1 = dr("\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"" + LOINC
        + "\",\"code\":\"36643-5\",\"display\":\"XR Chest 2 Views\"}],\"text\":\"Thorax radiograph\"}");
    dr("\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"" + LOINC + "\",\"code\":\"24627-2\",\"display\":\"CT Chest\"}]}");

    assertThat(ids("DiagnosticReport", "code:text", "xr chest")).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "code:text", "thorax")).containsExactlyInAnyOrder(d1);
  }

  // ---- reference ------------------------------------------------------------------------------

  @Test
  void referenceByTypeAndIdByIdByTypeModifierAndByAbsoluteUrl() {
    // a Patient and a Group with the same id, so that subject=id and subject:Patient=id differ
    String x = "ref-" + UUID.randomUUID();
    put("Patient", x, "\"name\":[{\"family\":\"Refpat\"}]");
    put("Group", x, "\"type\":\"person\",\"actual\":true");
    String other = patient("\"name\":[{\"family\":\"Other\"}]");
    String external = "http://other.example/fhir/Patient/9";
    String code = "\"code\":" + code(LOINC, "36643-5", null);
    String d1 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + x + "\"}");
    String d2 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Group/" + x + "\"}");
    String d3 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"" + external + "\"}");
    String d4 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + other + "\"}");
    dr("\"status\":\"final\"," + code);

    assertThat(ids("DiagnosticReport", "subject", "Patient/" + x)).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "subject", x)).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "subject:Patient", x)).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "subject:Group", x)).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "subject", "Group/" + x)).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "subject", "Patient/" + x + ",Patient/" + other)).containsExactlyInAnyOrder(d1, d4);
    assertThat(ids("DiagnosticReport", "subject", external)).containsExactlyInAnyOrder(d3);
    assertThat(ids("DiagnosticReport", "subject", "http://other.example/fhir/Patient/10")).isEmpty();
    // patient= only follows subjects that are Patients
    assertThat(ids("DiagnosticReport", "patient", x)).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "patient", "Patient/" + x)).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "patient", "Group/" + x)).isEmpty();
    assertThat(ids("DiagnosticReport", "patient", external)).containsExactlyInAnyOrder(d3);
  }

  @Test
  void localReferenceSearchDoesNotMatchAReferenceToAnotherServer() {
    // R4 search, reference: [type]/[id] and [id] name a resource "using a local reference";
    // http://other.example/fhir/Patient/L is another server's resource, not this server's Patient/L
    String code = "\"code\":" + code(LOINC, "36643-5", null);
    String local = "loc-" + UUID.randomUUID();
    String family = "Loc" + tag.substring(0, 8);
    put("Patient", local, "\"name\":[{\"family\":\"" + family + "\"}]");
    String dLocal = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + local + "\"}");
    String dExternal = dr("\"status\":\"amended\"," + code + ",\"subject\":{\"reference\":\"http://other.example/fhir/Patient/"
        + local + "\"}");

    org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
    soft.assertThat(ids("DiagnosticReport", "subject", "http://other.example/fhir/Patient/" + local))
        .as("subject=<absolute url>").containsExactlyInAnyOrder(dExternal);
    soft.assertThat(ids("DiagnosticReport", "subject", "Patient/" + local)).as("subject=Patient/id")
        .containsExactlyInAnyOrder(dLocal);
    soft.assertThat(ids("DiagnosticReport", "subject", local)).as("subject=id").containsExactlyInAnyOrder(dLocal);
    soft.assertThat(ids("DiagnosticReport", "subject:Patient", local)).as("subject:Patient=id")
        .containsExactlyInAnyOrder(dLocal);
    soft.assertThat(ids("DiagnosticReport", "subject:Patient.name", family)).as("chain subject:Patient.name")
        .containsExactlyInAnyOrder(dLocal);
    soft.assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "amended")).as("_has").isEmpty();
    soft.assertThat(includeRefs(search("DiagnosticReport", "_id", dExternal, "_include", "DiagnosticReport:subject")))
        .as("_include of the external reference").isEmpty();
    soft.assertThat(includeRefs(search("Patient", "_id", local, "_revinclude", "DiagnosticReport:subject")))
        .as("_revinclude").containsExactlyInAnyOrder("DiagnosticReport/" + dLocal);
    soft.assertAll();
  }

  @Test
  void updatedAndDeletedResourcesAreSearchedByTheirCurrentState() {
    String p = patient("\"name\":[{\"family\":\"Oldname\"}],\"gender\":\"male\"");
    String code = "\"code\":" + code(LOINC, "36643-5", null);
    String d = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p + "\"}");
    assertThat(ids("Patient", "family", "oldname")).containsExactly(p);
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "final")).containsExactly(p);

    put("Patient", p, "\"name\":[{\"family\":\"Newname\"}]");
    assertThat(ids("Patient", "family", "oldname")).isEmpty();
    assertThat(ids("Patient", "family", "newname")).containsExactly(p);
    assertThat(ids("Patient", "gender", "male")).isEmpty();
    assertThat(ids("Patient", "gender:missing", "true")).containsExactly(p);
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "newname")).containsExactly(d);
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "oldname")).isEmpty();

    utf8().delete("/DiagnosticReport/" + d).then().statusCode(200);
    assertThat(ids("DiagnosticReport", "status", "final")).isEmpty();
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "final")).isEmpty();
    assertThat(includeRefs(search("Patient", "_id", p, "_revinclude", "DiagnosticReport:subject"))).isEmpty();

    String d2 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p + "\"}");
    utf8().delete("/Patient/" + p).then().statusCode(200);
    assertThat(ids("Patient", "family", "newname")).isEmpty();
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "newname")).isEmpty();
    JsonPath b = search("DiagnosticReport", "_include", "DiagnosticReport:subject");
    assertThat(matchIds(b)).containsExactly(d2);
    assertThat(includeRefs(b)).isEmpty();
  }

  // ---- date -----------------------------------------------------------------------------------

  @Test
  void dateEqualityPartialDatesAndPrefixesOnDays() {
    String a = patient("\"birthDate\":\"1980-05-17\"");
    String b = patient("\"birthDate\":\"1980-05-03\"");
    String c = patient("\"birthDate\":\"1980-11-30\"");
    String d = patient("\"birthDate\":\"1981-01-01\"");
    String e = patient("\"birthDate\":\"1980\"");
    String f = patient("\"birthDate\":\"1980-05\"");
    String g = patient("\"gender\":\"male\"");
    String h = patient("\"birthDate\":\"1990-01-01\"");

    // eq: the search range contains the value's range
    assertThat(ids("Patient", "birthdate", "1980")).containsExactlyInAnyOrder(a, b, c, e, f);
    assertThat(ids("Patient", "birthdate", "1980-05")).containsExactlyInAnyOrder(a, b, f);
    assertThat(ids("Patient", "birthdate", "1980-05-17")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "birthdate", "eq1980-05-17")).containsExactlyInAnyOrder(a);
    assertThat(ids("Patient", "birthdate", "1980-05-17,1981")).containsExactlyInAnyOrder(a, d);
    // ne: the search range does not contain the value's range (a resource without a value is not "not equal")
    assertThat(ids("Patient", "birthdate", "ne1980-05-17")).containsExactlyInAnyOrder(b, c, d, e, f, h);
    assertThat(ids("Patient", "birthdate", "ne1980")).containsExactlyInAnyOrder(d, h);
    // gt/lt: the range above/below the search value overlaps the value's range
    assertThat(ids("Patient", "birthdate", "gt1980-05-17")).containsExactlyInAnyOrder(c, d, e, f, h);
    assertThat(ids("Patient", "birthdate", "lt1980-05-17")).containsExactlyInAnyOrder(b, e, f);
    assertThat(ids("Patient", "birthdate", "gt1980")).containsExactlyInAnyOrder(d, h);
    assertThat(ids("Patient", "birthdate", "lt1980")).isEmpty();
    // ge/le: gt/lt or eq
    assertThat(ids("Patient", "birthdate", "ge1980-05-17")).containsExactlyInAnyOrder(a, c, d, e, f, h);
    assertThat(ids("Patient", "birthdate", "le1980-05-17")).containsExactlyInAnyOrder(a, b, e, f);
    assertThat(ids("Patient", "birthdate", "ge1981")).containsExactlyInAnyOrder(d, h);
    assertThat(ids("Patient", "birthdate", "le1980")).containsExactlyInAnyOrder(a, b, c, e, f);
    // sa/eb: the value's range lies entirely after/before the search range
    assertThat(ids("Patient", "birthdate", "sa1980-05-17")).containsExactlyInAnyOrder(c, d, h);
    assertThat(ids("Patient", "birthdate", "eb1980-05-17")).containsExactlyInAnyOrder(b);
    assertThat(ids("Patient", "birthdate", "sa1980-05")).containsExactlyInAnyOrder(c, d, h);
    assertThat(ids("Patient", "birthdate", "eb1980-06")).containsExactlyInAnyOrder(a, b, f);
    // ap: close to the value (1990 is ten years from 1980, far more than 10% of the gap to now)
    assertThat(ids("Patient", "birthdate", "ap1980-05-17")).containsExactlyInAnyOrder(a, b, c, d, e, f);
    assertThat(ids("Patient", "birthdate:missing", "true")).containsExactlyInAnyOrder(g);
  }

  @Test
  void datePrefixesOnInstants() {
    String d1 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-03-10T10:00:00Z\"");
    String d2 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-03-10T10:00:00.500Z\"");
    String d3 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-03-10T12:30:00+02:00\"");
    String d4 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-03-11T00:15:00Z\"");
    String d5 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-03-09T23:59:59Z\"");
    String d6 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2015-01-01T00:00:00Z\"");
    dr("\"status\":\"final\",\"code\":{\"text\":\"x\"}");

    String t = "2023-03-10T10:00:00Z";
    assertThat(ids("DiagnosticReport", "issued", "2023-03-10")).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(ids("DiagnosticReport", "issued", t)).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "issued", "2023-03-10T11:00:00+01:00")).containsExactlyInAnyOrder(d1, d2);
    assertThat(ids("DiagnosticReport", "issued", "2023-03-10T10:30:00Z")).containsExactlyInAnyOrder(d3);
    // a millisecond search value does not contain the whole second of d1
    assertThat(ids("DiagnosticReport", "issued", "2023-03-10T10:00:00.500Z")).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "issued", "ne" + t)).containsExactlyInAnyOrder(d3, d4, d5, d6);
    assertThat(ids("DiagnosticReport", "issued", "gt" + t)).containsExactlyInAnyOrder(d3, d4);
    assertThat(ids("DiagnosticReport", "issued", "lt" + t)).containsExactlyInAnyOrder(d5, d6);
    assertThat(ids("DiagnosticReport", "issued", "ge" + t)).containsExactlyInAnyOrder(d1, d2, d3, d4);
    assertThat(ids("DiagnosticReport", "issued", "le" + t)).containsExactlyInAnyOrder(d1, d2, d5, d6);
    assertThat(ids("DiagnosticReport", "issued", "sa" + t)).containsExactlyInAnyOrder(d3, d4);
    assertThat(ids("DiagnosticReport", "issued", "eb" + t)).containsExactlyInAnyOrder(d5, d6);
    // d1 (to the second) reaches past .600, d2 (to the millisecond) does not
    assertThat(ids("DiagnosticReport", "issued", "gt2023-03-10T10:00:00.600Z")).containsExactlyInAnyOrder(d1, d3, d4);
    assertThat(ids("DiagnosticReport", "issued", "lt2023-03-10T10:00:00.600Z")).containsExactlyInAnyOrder(d1, d2, d5, d6);
    assertThat(ids("DiagnosticReport", "issued", "gt2023-03-10T10:00:00.400Z")).containsExactlyInAnyOrder(d1, d2, d3, d4);
    assertThat(ids("DiagnosticReport", "issued", "ap2023-03-10")).containsExactlyInAnyOrder(d1, d2, d3, d4, d5);
    assertThat(ids("DiagnosticReport", "issued", "gt2023-03-10T23:00:00+02:00")).containsExactlyInAnyOrder(d4);
  }

  @Test
  void datePeriodsIncludingOpenEnds() {
    String open = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"effectivePeriod\":{\"start\":\"2021-01-01\"}");
    String march = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"effectivePeriod\":{\"start\":\"2021-03-01\",\"end\":\"2021-03-31\"}");
    String day = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"effectiveDateTime\":\"2021-03-15\"");
    String openStart = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"effectivePeriod\":{\"end\":\"2020-06-30\"}");
    dr("\"status\":\"final\",\"code\":{\"text\":\"x\"}");

    assertThat(ids("DiagnosticReport", "date", "2021-03")).containsExactlyInAnyOrder(march, day);
    assertThat(ids("DiagnosticReport", "date", "2021")).containsExactlyInAnyOrder(march, day);
    // a day inside the period does not contain the period
    assertThat(ids("DiagnosticReport", "date", "2021-03-15")).containsExactlyInAnyOrder(day);
    assertThat(ids("DiagnosticReport", "date", "ne2021-03")).containsExactlyInAnyOrder(open, openStart);
    // the open end reaches any future date; the open start any past one
    assertThat(ids("DiagnosticReport", "date", "gt2030-01-01")).containsExactlyInAnyOrder(open);
    assertThat(ids("DiagnosticReport", "date", "ge2021-04-01")).containsExactlyInAnyOrder(open);
    assertThat(ids("DiagnosticReport", "date", "lt2021-01-01")).containsExactlyInAnyOrder(openStart);
    assertThat(ids("DiagnosticReport", "date", "lt1900-01-01")).containsExactlyInAnyOrder(openStart);
    assertThat(ids("DiagnosticReport", "date", "le2021-02-28")).containsExactlyInAnyOrder(open, openStart);
    assertThat(ids("DiagnosticReport", "date", "gt2021-03-20")).containsExactlyInAnyOrder(open, march);
    assertThat(ids("DiagnosticReport", "date", "lt2021-03-10")).containsExactlyInAnyOrder(open, march, openStart);
    assertThat(ids("DiagnosticReport", "date", "sa2020-12-31")).containsExactlyInAnyOrder(open, march, day);
    assertThat(ids("DiagnosticReport", "date", "sa2021-01-01")).containsExactlyInAnyOrder(march, day);
    assertThat(ids("DiagnosticReport", "date", "eb2021-03-01")).containsExactlyInAnyOrder(openStart);
    assertThat(ids("DiagnosticReport", "date", "eb2030-01-01")).containsExactlyInAnyOrder(march, day, openStart);
  }

  // ---- number and quantity --------------------------------------------------------------------

  private String risk(String probability) {
    return create("RiskAssessment", "\"status\":\"final\",\"subject\":{\"reference\":\"Patient/risk-" + tag
        + "\"},\"prediction\":[{\"probabilityDecimal\":" + probability + "}]");
  }

  @Test
  void numberWithImpliedPrecisionAndPrefixes() {
    String r50 = risk("0.5");
    String r52 = risk("0.52");
    String r56 = risk("0.56");
    String r44 = risk("0.44");
    String r47 = risk("0.47");
    String r500 = risk("0.500");
    create("RiskAssessment", "\"status\":\"final\",\"subject\":{\"reference\":\"Patient/risk-" + tag + "\"}");

    // 0.5 means [0.45, 0.55); 0.50 means [0.495, 0.505)
    assertThat(ids("RiskAssessment", "probability", "0.5")).containsExactlyInAnyOrder(r50, r52, r47, r500);
    assertThat(ids("RiskAssessment", "probability", "0.50")).containsExactlyInAnyOrder(r50, r500);
    assertThat(ids("RiskAssessment", "probability", "eq0.5")).containsExactlyInAnyOrder(r50, r52, r47, r500);
    assertThat(ids("RiskAssessment", "probability", "0.44,0.56")).containsExactlyInAnyOrder(r44, r56);
    assertThat(ids("RiskAssessment", "probability", "ne0.5")).containsExactlyInAnyOrder(r44, r56);
    assertThat(ids("RiskAssessment", "probability", "gt0.5")).containsExactlyInAnyOrder(r52, r56);
    assertThat(ids("RiskAssessment", "probability", "lt0.5")).containsExactlyInAnyOrder(r44, r47);
    assertThat(ids("RiskAssessment", "probability", "ge0.5")).containsExactlyInAnyOrder(r50, r500, r52, r56);
    assertThat(ids("RiskAssessment", "probability", "le0.5")).containsExactlyInAnyOrder(r50, r500, r44, r47);
    assertThat(ids("RiskAssessment", "probability", "gt0.9")).isEmpty();
    assertThat(ids("RiskAssessment", "probability", "ap0.5")).containsExactlyInAnyOrder(r50, r52, r47, r500);
  }

  private String obs(String valueQuantity) {
    return create("Observation", "\"status\":\"final\",\"code\":{\"text\":\"dose\"},\"valueQuantity\":" + valueQuantity);
  }

  @Test
  void quantityWithSystemCodeUnitAndPrefixes() {
    String o1 = obs("{\"value\":5.4,\"system\":\"" + UCUM + "\",\"code\":\"mg\",\"unit\":\"mg\"}");
    String o2 = obs("{\"value\":5.44,\"system\":\"" + UCUM + "\",\"code\":\"mg\"}");
    String o3 = obs("{\"value\":5.4,\"system\":\"" + UCUM + "\",\"code\":\"g\",\"unit\":\"g\"}");
    String o4 = obs("{\"value\":5.4,\"system\":\"urn:other:units\",\"code\":\"mg\"}");
    String o5 = obs("{\"value\":5.4,\"unit\":\"mg\"}");
    String o6 = obs("{\"value\":7,\"system\":\"" + UCUM + "\",\"code\":\"mg\"}");
    String o7 = obs("{\"value\":3,\"system\":\"" + UCUM + "\",\"code\":\"mg\"}");
    String o8 = obs("{\"value\":5.5,\"system\":\"" + UCUM + "\",\"code\":\"mg\"}");
    create("Observation", "\"status\":\"final\",\"code\":{\"text\":\"dose\"},\"valueString\":\"none\"");

    assertThat(ids("Observation", "value-quantity", "5.4|" + UCUM + "|mg")).containsExactlyInAnyOrder(o1, o2);
    assertThat(ids("Observation", "value-quantity", "gt5|" + UCUM + "|mg")).containsExactlyInAnyOrder(o1, o2, o6, o8);
    assertThat(ids("Observation", "value-quantity", "lt5|" + UCUM + "|mg")).containsExactlyInAnyOrder(o7);
    assertThat(ids("Observation", "value-quantity", "ge5.5|" + UCUM + "|mg")).containsExactlyInAnyOrder(o6, o8);
    assertThat(ids("Observation", "value-quantity", "le5.4|" + UCUM + "|mg")).containsExactlyInAnyOrder(o1, o7);
    assertThat(ids("Observation", "value-quantity", "5.4|" + UCUM + "|g")).containsExactlyInAnyOrder(o3);
    assertThat(ids("Observation", "value-quantity", "ne5.4|" + UCUM + "|mg")).containsExactlyInAnyOrder(o6, o7, o8);
    // no system: the code (or unit) in any system
    assertThat(ids("Observation", "value-quantity", "5.4||mg")).containsExactlyInAnyOrder(o1, o2, o4, o5);
    // number only: any unit
    assertThat(ids("Observation", "value-quantity", "5.4")).containsExactlyInAnyOrder(o1, o2, o3, o4, o5);
    assertThat(ids("Observation", "value-quantity", "5.4|" + UCUM + "|mg,7|" + UCUM + "|mg")).containsExactlyInAnyOrder(o1, o2, o6);
  }

  // ---- uri ------------------------------------------------------------------------------------

  @Test
  void uriExactBelowAndAbove() {
    String base = "http://example.org/" + tag + "/fhir";
    String v1 = create("ValueSet", "\"status\":\"active\",\"url\":\"" + base + "/ValueSet/alpha\"");
    String v2 = create("ValueSet", "\"status\":\"active\",\"url\":\"" + base + "/ValueSet/beta\"");
    String v3 = create("ValueSet", "\"status\":\"active\",\"url\":\"" + base + "\"");
    String v4 = create("ValueSet", "\"status\":\"active\",\"url\":\"http://example.org/" + tag + "/other/ValueSet/alpha\"");
    create("ValueSet", "\"status\":\"active\"");

    assertThat(ids("ValueSet", "url", base + "/ValueSet/alpha")).containsExactlyInAnyOrder(v1);
    assertThat(ids("ValueSet", "url", base + "/ValueSet")).isEmpty();
    assertThat(ids("ValueSet", "url", base + "/valueset/alpha")).isEmpty();
    assertThat(ids("ValueSet", "url:below", base + "/ValueSet")).containsExactlyInAnyOrder(v1, v2);
    assertThat(ids("ValueSet", "url:below", base)).containsExactlyInAnyOrder(v1, v2, v3);
    assertThat(ids("ValueSet", "url:below", "http://example.org/" + tag)).containsExactlyInAnyOrder(v1, v2, v3, v4);
    assertThat(ids("ValueSet", "url:above", base + "/ValueSet/alpha/extra")).containsExactlyInAnyOrder(v1, v3);
    assertThat(ids("ValueSet", "url:above", base + "/ValueSet/alpha")).containsExactlyInAnyOrder(v1, v3);
    assertThat(ids("ValueSet", "url:above", base + "/ValueSet/gamma")).containsExactlyInAnyOrder(v3);
  }

  // ---- :missing, OR, AND, _id, _lastUpdated, _tag, _profile, _security -------------------------

  @Test
  void missingModifier() {
    String full = patient("\"gender\":\"female\",\"birthDate\":\"1970-01-01\",\"name\":[{\"family\":\"Full\"}]");
    String genderOnly = patient("\"gender\":\"male\"");
    String none = patient("\"active\":true");

    assertThat(ids("Patient", "gender:missing", "true")).containsExactlyInAnyOrder(none);
    assertThat(ids("Patient", "gender:missing", "false")).containsExactlyInAnyOrder(full, genderOnly);
    assertThat(ids("Patient", "birthdate:missing", "true")).containsExactlyInAnyOrder(genderOnly, none);
    assertThat(ids("Patient", "birthdate:missing", "false")).containsExactlyInAnyOrder(full);
    assertThat(ids("Patient", "family:missing", "true")).containsExactlyInAnyOrder(genderOnly, none);
    assertThat(ids("Patient", "family:missing", "false")).containsExactlyInAnyOrder(full);
  }

  @Test
  void orByCommaAndByRepetition() {
    String p1 = patient("\"name\":[{\"family\":\"Orand\",\"given\":[\"Anna\",\"Maria\"]}],\"gender\":\"female\"");
    String p2 = patient("\"name\":[{\"family\":\"Orand\",\"given\":[\"Anna\"]}],\"gender\":\"male\"");
    String p3 = patient("\"name\":[{\"family\":\"Orand\",\"given\":[\"Maria\"]}],\"gender\":\"other\"");

    assertThat(ids("Patient", "gender", "male,female")).containsExactlyInAnyOrder(p1, p2);
    assertThat(ids("Patient", "given", "anna,maria")).containsExactlyInAnyOrder(p1, p2, p3);
    assertThat(ids("Patient", "given", "anna", "given", "maria")).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "given", "anna", "gender", "male")).containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "given", "anna,maria", "gender", "other,male")).containsExactlyInAnyOrder(p2, p3);
    assertThat(ids("Patient", "_id", p1 + "," + p3)).containsExactlyInAnyOrder(p1, p3);
    assertThat(ids("Patient", "_id", p2)).containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "_id", "no-such-" + tag)).isEmpty();
  }

  @Test
  void tagProfileAndSecurity() {
    String tag2 = UUID.randomUUID().toString();
    String profile = "http://example.org/StructureDefinition/" + tag;
    String conf = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
    String p1 = utf8().body("{\"resourceType\":\"Patient\",\"meta\":{\"tag\":[" + tagJson() + ",{\"system\":\"" + TAG_SYSTEM
            + "\",\"code\":\"" + tag2 + "\"}],\"profile\":[\"" + profile + "\"]}}")
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    String p2 = utf8().body("{\"resourceType\":\"Patient\",\"meta\":{\"tag\":[" + tagJson() + "],\"security\":[{\"system\":\""
            + conf + "\",\"code\":\"R\"}]}}")
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    String p3 = patient("\"active\":true");
    String p4 = utf8().body("{\"resourceType\":\"Patient\",\"meta\":{\"tag\":[{\"system\":\"" + TAG_SYSTEM + "\",\"code\":\""
            + tag2 + "\"}]}}")
        .post("/Patient").then().statusCode(201).extract().jsonPath().getString("id");

    assertThat(ids("Patient")).containsExactlyInAnyOrder(p1, p2, p3);
    // AND by repetition: both tags
    assertThat(ids("Patient", "_tag", TAG_SYSTEM + "|" + tag2)).containsExactlyInAnyOrder(p1);
    // OR by comma, within one _tag (searched alone, without the test tag)
    List<String> either = utf8().urlEncodingEnabled(false)
        .get("/Patient?_count=500&_tag=" + enc(TAG_SYSTEM + "|" + tag + "," + TAG_SYSTEM + "|" + tag2))
        .then().statusCode(200).extract().jsonPath().getList("entry.resource.id");
    assertThat(either).containsExactlyInAnyOrder(p1, p2, p3, p4);
    assertThat(ids("Patient", "_tag", tag2)).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "_profile", profile)).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "_profile", profile + "-no")).isEmpty();
    assertThat(ids("Patient", "_security", conf + "|R")).containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "_security", "R")).containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "_security:not", conf + "|R")).containsExactlyInAnyOrder(p1, p3);
    assertThat(ids("Patient", "_tag:not", TAG_SYSTEM + "|" + tag2)).containsExactlyInAnyOrder(p2, p3);
  }

  @Test
  void lastUpdated() throws InterruptedException {
    String first = patient("\"active\":true");
    String firstUpdated = utf8().get("/Patient/" + first).jsonPath().getString("meta.lastUpdated");
    Thread.sleep(5);
    String second = patient("\"active\":false");
    String secondUpdated = utf8().get("/Patient/" + second).jsonPath().getString("meta.lastUpdated");
    assertThat(secondUpdated).isNotEqualTo(firstUpdated);

    assertThat(ids("Patient", "_lastUpdated", "gt" + firstUpdated)).containsExactlyInAnyOrder(second);
    assertThat(ids("Patient", "_lastUpdated", "ge" + firstUpdated)).containsExactlyInAnyOrder(first, second);
    assertThat(ids("Patient", "_lastUpdated", "lt" + secondUpdated)).containsExactlyInAnyOrder(first);
    assertThat(ids("Patient", "_lastUpdated", "le" + firstUpdated)).containsExactlyInAnyOrder(first);
    assertThat(ids("Patient", "_lastUpdated", firstUpdated)).containsExactlyInAnyOrder(first);
    assertThat(ids("Patient", "_lastUpdated", "gt" + secondUpdated)).isEmpty();
    assertThat(ids("Patient", "_lastUpdated", "gt2000-01-01", "_lastUpdated", "lt2999-01-01"))
        .containsExactlyInAnyOrder(first, second);
    assertThat(ids("Patient", "_lastUpdated", "lt2000-01-01")).isEmpty();
  }

  // ---- chaining and reverse chaining ----------------------------------------------------------

  @Test
  void chainedAndReverseChainedParameters() {
    String psys = "urn:test:mrn:" + tag;
    String prsys = "urn:test:npi:" + tag;
    String pr1 = create("Practitioner", "\"identifier\":[{\"system\":\"" + prsys + "\",\"value\":\"pr-1\"}]");
    String pr2 = create("Practitioner", "\"identifier\":[{\"system\":\"" + prsys + "\",\"value\":\"pr-2\"}]");
    String p1 = patient("\"identifier\":[{\"system\":\"" + psys + "\",\"value\":\"p-1\"}],\"name\":[{\"family\":\"Zebedee\"}]");
    String p2 = patient("\"identifier\":[{\"system\":\"" + psys + "\",\"value\":\"p-2\"}],\"name\":[{\"family\":\"Yannick\"}]");
    String p3 = patient("\"name\":[{\"family\":\"Nodr\"}]");
    String sr1 = create("ServiceRequest", "\"status\":\"active\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/" + p1
        + "\"},\"requester\":{\"reference\":\"Practitioner/" + pr1 + "\"}");
    String sr2 = create("ServiceRequest", "\"status\":\"active\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/" + p2
        + "\"},\"requester\":{\"reference\":\"Practitioner/" + pr2 + "\"}");
    String code = "\"code\":" + code(LOINC, "36643-5", null);
    String d1 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p1
        + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + sr1 + "\"}]");
    String d2 = dr("\"status\":\"amended\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p2
        + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + sr2 + "\"}]");
    String d3 = dr("\"status\":\"preliminary\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p1 + "\"}");

    assertThat(ids("DiagnosticReport", "subject.identifier", psys + "|p-1")).containsExactlyInAnyOrder(d1, d3);
    assertThat(ids("DiagnosticReport", "subject.identifier", psys + "|p-2")).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "subject.identifier", psys + "|p-1," + psys + "|p-2")).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(ids("DiagnosticReport", "subject.identifier", psys + "|p-3")).isEmpty();
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "zebedee")).containsExactlyInAnyOrder(d1, d3);
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "YANN")).containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "subject:Patient.name", "Zebedee", "status", "final")).containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "patient.family:exact", "Yannick")).containsExactlyInAnyOrder(d2);
    // two levels: DiagnosticReport -> ServiceRequest -> Practitioner
    assertThat(ids("DiagnosticReport", "based-on:ServiceRequest.requester.identifier", prsys + "|pr-1"))
        .containsExactlyInAnyOrder(d1);
    assertThat(ids("DiagnosticReport", "based-on:ServiceRequest.requester.identifier", prsys + "|pr-2"))
        .containsExactlyInAnyOrder(d2);
    assertThat(ids("DiagnosticReport", "based-on:ServiceRequest.requester:Practitioner.identifier", prsys + "|pr-2"))
        .containsExactlyInAnyOrder(d2);

    // reverse chaining
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "final")).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "final,amended")).containsExactlyInAnyOrder(p1, p2);
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "preliminary")).containsExactlyInAnyOrder(p1);
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "cancelled")).isEmpty();
    assertThat(ids("Patient", "_has:DiagnosticReport:subject:status", "amended", "family", "yann"))
        .containsExactlyInAnyOrder(p2);
    assertThat(ids("Patient", "_has:ServiceRequest:subject:_id", sr2)).containsExactlyInAnyOrder(p2);
    // nested: practitioners who requested a ServiceRequest that a final DiagnosticReport is based on
    assertThat(ids("Practitioner", "_has:ServiceRequest:requester:_has:DiagnosticReport:based-on:status", "final"))
        .containsExactlyInAnyOrder(pr1);
    assertThat(ids("Practitioner", "_has:ServiceRequest:requester:_has:DiagnosticReport:based-on:status", "amended"))
        .containsExactlyInAnyOrder(pr2);
    assertThat(ids("Practitioner", "_has:ServiceRequest:requester:_has:DiagnosticReport:based-on:status", "preliminary"))
        .isEmpty();
    assertThat(p3).isNotNull();
  }

  // ---- _include / _revinclude -----------------------------------------------------------------

  @Test
  void includeRevincludeAndIterate() {
    String pr = create("Practitioner", "\"name\":[{\"family\":\"Incl\"}]");
    String p1 = patient("\"name\":[{\"family\":\"Inclone\"}]");
    String p2 = patient("\"name\":[{\"family\":\"Incltwo\"}]");
    String sr = create("ServiceRequest", "\"status\":\"active\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/" + p1
        + "\"},\"requester\":{\"reference\":\"Practitioner/" + pr + "\"}");
    String code = "\"code\":" + code(LOINC, "36643-5", null);
    String d1 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p1
        + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + sr + "\"}]");
    String d2 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p1 + "\"}");
    String d3 = dr("\"status\":\"final\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p2
        + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + sr + "\"}]");
    String d4 = dr("\"status\":\"cancelled\"," + code + ",\"subject\":{\"reference\":\"Patient/" + p2 + "\"}");

    JsonPath b = search("DiagnosticReport", "status", "final", "_include", "DiagnosticReport:subject");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("Patient/" + p1, "Patient/" + p2);
    assertThat(b.getList("entry.search.mode")).containsOnly("match", "include");

    b = search("DiagnosticReport", "status", "final", "_include", "DiagnosticReport:based-on:ServiceRequest");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("ServiceRequest/" + sr);

    b = search("DiagnosticReport", "status", "final", "_include", "DiagnosticReport:based-on:Practitioner");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(d1, d2, d3);
    assertThat(includeRefs(b)).isEmpty();

    b = search("DiagnosticReport", "_id", d1, "_include", "*");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(d1);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("Patient/" + p1, "ServiceRequest/" + sr);

    // iterate follows includes of included resources; a plain _include only follows the matches
    b = search("DiagnosticReport", "_id", d1, "_include", "DiagnosticReport:based-on",
        "_include:iterate", "ServiceRequest:requester");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(d1);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("ServiceRequest/" + sr, "Practitioner/" + pr);
    b = search("DiagnosticReport", "_id", d1, "_include", "DiagnosticReport:based-on", "_include", "ServiceRequest:requester");
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("ServiceRequest/" + sr);

    // _revinclude
    b = search("Patient", "_id", p1, "_revinclude", "DiagnosticReport:subject");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(p1);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("DiagnosticReport/" + d1, "DiagnosticReport/" + d2);
    b = search("Patient", "_revinclude", "DiagnosticReport:subject", "_revinclude", "ServiceRequest:subject");
    assertThat(matchIds(b)).containsExactlyInAnyOrder(p1, p2);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("DiagnosticReport/" + d1, "DiagnosticReport/" + d2,
        "DiagnosticReport/" + d3, "DiagnosticReport/" + d4, "ServiceRequest/" + sr);

    // included resources are not matches: not counted in total nor in _count
    b = search("DiagnosticReport", "status", "final", "_include", "DiagnosticReport:subject", "_total", "accurate");
    assertThat(b.getInt("total")).isEqualTo(3);
    b = search("DiagnosticReport", "status", "final", "_include", "DiagnosticReport:subject", "_count", "2",
        "_sort", "_lastUpdated");
    assertThat(matchIds(b)).containsExactly(d1, d2);
    assertThat(includeRefs(b)).containsExactlyInAnyOrder("Patient/" + p1);
  }

  // ---- _sort ----------------------------------------------------------------------------------

  @Test
  void sortByStringDateIdLastUpdatedAndTwoKeysWithMissingValuesLast() throws InterruptedException {
    String s1 = patient("\"name\":[{\"family\":\"Adams\"}],\"birthDate\":\"1990-01-01\"");
    Thread.sleep(3);
    String s2 = patient("\"name\":[{\"family\":\"Baker\"}],\"birthDate\":\"1985-06-01\"");
    Thread.sleep(3);
    String s3 = patient("\"name\":[{\"family\":\"Davis\"}],\"birthDate\":\"1990-01-01\"");
    Thread.sleep(3);
    String s4 = patient("\"name\":[{\"family\":\"Clark\"}],\"birthDate\":\"1970-01-01\"");
    Thread.sleep(3);
    String s5 = patient("\"name\":[{\"given\":[\"Nofamily\"]}],\"birthDate\":\"2000-01-01\"");
    Thread.sleep(3);
    String s6 = patient("\"name\":[{\"family\":\"Adams\"}],\"birthDate\":\"1960-01-01\"");
    Thread.sleep(3);
    String s7 = patient("\"name\":[{\"family\":\"Baker\"}]");
    List<String> created = List.of(s1, s2, s3, s4, s5, s6, s7);

    List<String> byFamily = ids("Patient", "_sort", "family");
    assertThat(byFamily).hasSize(7);
    assertThat(Set.copyOf(byFamily.subList(0, 2))).containsExactlyInAnyOrder(s1, s6);
    assertThat(Set.copyOf(byFamily.subList(2, 4))).containsExactlyInAnyOrder(s2, s7);
    assertThat(byFamily.subList(4, 7)).containsExactly(s4, s3, s5);

    List<String> byFamilyDesc = ids("Patient", "_sort", "-family");
    assertThat(byFamilyDesc.subList(0, 2)).containsExactly(s3, s4);
    assertThat(Set.copyOf(byFamilyDesc.subList(2, 4))).containsExactlyInAnyOrder(s2, s7);
    assertThat(Set.copyOf(byFamilyDesc.subList(4, 6))).containsExactlyInAnyOrder(s1, s6);
    assertThat(byFamilyDesc.get(6)).isEqualTo(s5);

    assertThat(ids("Patient", "_sort", "family,-birthdate")).containsExactly(s1, s6, s2, s7, s4, s3, s5);
    assertThat(ids("Patient", "_sort", "family,birthdate")).containsExactly(s6, s1, s2, s7, s4, s3, s5);

    List<String> byBirth = ids("Patient", "_sort", "birthdate");
    assertThat(byBirth.subList(0, 3)).containsExactly(s6, s4, s2);
    assertThat(Set.copyOf(byBirth.subList(3, 5))).containsExactlyInAnyOrder(s1, s3);
    assertThat(byBirth.subList(5, 7)).containsExactly(s5, s7);

    List<String> byBirthDesc = ids("Patient", "_sort", "-birthdate");
    assertThat(byBirthDesc.get(0)).isEqualTo(s5);
    assertThat(Set.copyOf(byBirthDesc.subList(1, 3))).containsExactlyInAnyOrder(s1, s3);
    assertThat(byBirthDesc.subList(3, 7)).containsExactly(s2, s4, s6, s7);

    List<String> sortedIds = new ArrayList<>(created);
    Collections.sort(sortedIds);
    assertThat(ids("Patient", "_sort", "_id")).containsExactlyElementsOf(sortedIds);
    assertThat(ids("Patient", "_sort", "-_id")).containsExactlyElementsOf(reversed(sortedIds));
    assertThat(ids("Patient", "_sort", "_lastUpdated")).containsExactlyElementsOf(created);
    assertThat(ids("Patient", "_sort", "-_lastUpdated")).containsExactlyElementsOf(reversed(created));
  }

  @Test
  void sortByInstantDescendingWithMissingLast() {
    String d1 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-01-01T10:00:00Z\"");
    String d2 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-06-01T00:00:00Z\"");
    String d3 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"}");
    // 2023-01-01T04:00:00Z: before d1 although its local date is a day earlier
    String d4 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2022-12-31T23:00:00-05:00\"");
    String d5 = dr("\"status\":\"final\",\"code\":{\"text\":\"x\"},\"issued\":\"2023-01-01T12:00:00+05:00\"");

    assertThat(ids("DiagnosticReport", "_sort", "-issued")).containsExactly(d2, d1, d5, d4, d3);
    assertThat(ids("DiagnosticReport", "_sort", "issued")).containsExactly(d4, d5, d1, d2, d3);
  }

  // ---- paging ---------------------------------------------------------------------------------

  @Test
  void pagingWalksFiftySevenMatchesForwardAndBack() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      expected.add(patient("\"name\":[{\"family\":\"" + String.format("Pg%02d", i) + "\"}]"));
    }
    JsonPath page = search("Patient", "_sort", "family", "_count", "10", "_total", "accurate");
    assertThat(page.getInt("total")).isEqualTo(57);
    assertThat(link(page, "previous")).isNull();
    assertThat(link(page, "self")).isNotNull();
    List<List<String>> pages = new ArrayList<>();
    pages.add(matchIds(page));
    String next = link(page, "next");
    while (next != null) {
      assertThat(pages).as("too many pages").hasSizeLessThan(7);
      page = follow(next);
      assertThat(page.getInt("total")).isEqualTo(57);
      pages.add(matchIds(page));
      next = link(page, "next");
    }
    assertThat(pages).hasSize(6);
    assertThat(pages.stream().map(List::size).toList()).containsExactly(10, 10, 10, 10, 10, 7);
    List<String> walked = pages.stream().flatMap(List::stream).toList();
    assertThat(walked).doesNotHaveDuplicates().containsExactlyElementsOf(expected);

    // and back from the last page, through previous links
    List<List<String>> back = new ArrayList<>();
    back.add(matchIds(page));
    String prev = link(page, "previous");
    while (prev != null) {
      assertThat(back).as("too many pages").hasSizeLessThan(7);
      page = follow(prev);
      back.add(0, matchIds(page));
      prev = link(page, "previous");
    }
    assertThat(back).containsExactlyElementsOf(pages);
    assertThat(link(page, "next")).isNotNull();
  }

  private void walkIsBoundedByFirstPage(String... sort) {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      expected.add(patient("\"name\":[{\"family\":\"" + String.format("Pb%02d", i) + "\"}]"));
    }
    String[] kv = new String[sort.length + 2];
    System.arraycopy(sort, 0, kv, 0, sort.length);
    kv[sort.length] = "_count";
    kv[sort.length + 1] = "10";
    JsonPath page = search("Patient", kv);
    List<String> walked = new ArrayList<>(matchIds(page));
    assertThat(walked).containsExactlyElementsOf(expected.subList(0, 10));

    // between pages: one created (sorting into page 2) and two deleted (on pages 2 and 3)
    String late = patient("\"name\":[{\"family\":\"Pb15x\"}]");
    utf8().delete("/Patient/" + expected.get(17)).then().statusCode(200);
    utf8().delete("/Patient/" + expected.get(22)).then().statusCode(200);

    String next = link(page, "next");
    int pages = 1;
    while (next != null) {
      assertThat(pages).as("too many pages").isLessThan(5);
      page = follow(next);
      walked.addAll(matchIds(page));
      next = link(page, "next");
      pages++;
    }
    List<String> remaining = new ArrayList<>(expected);
    remaining.remove(22);
    remaining.remove(17);
    assertThat(walked).doesNotContain(late).doesNotHaveDuplicates().containsExactlyElementsOf(remaining);
    // a new search sees the new one and not the deleted ones
    List<String> now = ids("Patient", kv.length > 2 ? sort : new String[0]);
    assertThat(now).containsExactlyInAnyOrderElementsOf(new LinkedHashSet<>(concat(remaining, late)));
  }

  private static List<String> concat(List<String> l, String x) {
    List<String> out = new ArrayList<>(l);
    out.add(x);
    return out;
  }

  @Test
  void pagingWithSortIgnoresResourcesCreatedAndDeletedBetweenPages() {
    walkIsBoundedByFirstPage("_sort", "family");
  }

  @Test
  void pagingWithoutSortIgnoresResourcesCreatedAndDeletedBetweenPages() {
    walkIsBoundedByFirstPage();
  }

  @Test
  void pagingBySortKeyWithTiesAcrossPages() {
    Map<String, String> birth = new HashMap<>();
    String[] dates = {"2001-01-01", "2000-06-15", "1999-12-31", null};
    int[] counts = {4, 4, 3, 2};
    for (int d = 0; d < dates.length; d++) {
      for (int i = 0; i < counts[d]; i++) {
        String id = patient(dates[d] == null ? "\"gender\":\"other\"" : "\"birthDate\":\"" + dates[d] + "\"");
        birth.put(id, dates[d] == null ? "missing" : dates[d]);
      }
    }
    JsonPath page = search("Patient", "_sort", "-birthdate", "_count", "3");
    List<List<String>> pages = new ArrayList<>();
    pages.add(matchIds(page));
    String next = link(page, "next");
    while (next != null) {
      assertThat(pages).as("too many pages").hasSizeLessThan(6);
      page = follow(next);
      pages.add(matchIds(page));
      next = link(page, "next");
    }
    assertThat(pages.stream().map(List::size).toList()).containsExactly(3, 3, 3, 3, 1);
    List<String> walked = pages.stream().flatMap(List::stream).toList();
    assertThat(walked).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(birth.keySet());
    assertThat(walked.stream().map(birth::get).toList()).containsExactly(
        "2001-01-01", "2001-01-01", "2001-01-01", "2001-01-01",
        "2000-06-15", "2000-06-15", "2000-06-15", "2000-06-15",
        "1999-12-31", "1999-12-31", "1999-12-31", "missing", "missing");

    List<List<String>> back = new ArrayList<>();
    back.add(matchIds(page));
    String prev = link(page, "previous");
    while (prev != null) {
      assertThat(back).as("too many pages").hasSizeLessThan(6);
      page = follow(prev);
      back.add(0, matchIds(page));
      prev = link(page, "previous");
    }
    assertThat(back).containsExactlyElementsOf(pages);
  }

  // ---- _total, _summary, _elements, _count ----------------------------------------------------

  @Test
  void totalSummaryCountElementsAndCountZero() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(patient("\"name\":[{\"family\":\"Tot" + i + "\"}],\"gender\":\"female\",\"birthDate\":\"1970-01-0" + (i + 1) + "\""));
    }
    JsonPath b = search("Patient", "_total", "accurate", "_count", "2");
    assertThat(b.getInt("total")).isEqualTo(5);
    assertThat(matchIds(b)).hasSize(2).isSubsetOf(all);

    b = search("Patient", "_count", "2");
    assertThat(b.getString("total")).isNull();
    assertThat(matchIds(b)).hasSize(2).isSubsetOf(all);
    b = search("Patient", "_total", "none");
    assertThat(b.getString("total")).isNull();
    assertThat(matchIds(b)).containsExactlyInAnyOrderElementsOf(all);

    b = search("Patient", "_total", "estimate");
    assertThat(b.getString("total")).isNotNull();
    assertThat(b.getInt("total")).isGreaterThanOrEqualTo(0);

    b = search("Patient", "_summary", "count");
    assertThat(b.getInt("total")).isEqualTo(5);
    assertThat(b.getList("entry")).isNullOrEmpty();

    b = search("Patient", "_count", "0", "_total", "accurate");
    assertThat(b.getInt("total")).isEqualTo(5);
    assertThat(b.getList("entry")).isNullOrEmpty();
    b = search("Patient", "_count", "0");
    assertThat(b.getList("entry")).isNullOrEmpty();

    b = search("Patient", "_elements", "name");
    assertThat(matchIds(b)).containsExactlyInAnyOrderElementsOf(all);
    assertThat(b.<String>getList("entry.resource.collect { it.name[0].family }")).containsExactlyInAnyOrder("Tot0", "Tot1", "Tot2", "Tot3", "Tot4");
    assertThat(b.getList("entry.resource.gender").stream().filter(java.util.Objects::nonNull).toList()).isEmpty();
    assertThat(b.getList("entry.resource.birthDate").stream().filter(java.util.Objects::nonNull).toList()).isEmpty();
  }

  @Test
  void countZeroReportsTheTotalLikeSummaryCount() {
    // R4 search.html#count: "If _count has the value 0, this shall be treated the same as
    // _summary=count: the server returns a bundle that reports the total number of resources that
    // match in Bundle.total, but with no entries, and no prev/next/last links"
    for (int i = 0; i < 3; i++) {
      patient("\"active\":true");
    }
    JsonPath b = search("Patient", "_count", "0");
    assertThat(b.getList("entry")).isNullOrEmpty();
    assertThat(link(b, "next")).isNull();
    assertThat(b.getString("total")).isEqualTo("3");
  }

  // ---- POST _search ---------------------------------------------------------------------------

  @Test
  void postSearchWithFormBodyGivesTheSameIdsAsGet() {
    String p1 = patient("\"name\":[{\"family\":\"Formpost\"}],\"gender\":\"male\"");
    String p2 = patient("\"name\":[{\"family\":\"Formpost\"}],\"gender\":\"female\"");
    patient("\"name\":[{\"family\":\"Formpost\"}],\"gender\":\"other\"");
    patient("\"name\":[{\"family\":\"Elsewhere\"}],\"gender\":\"male\"");

    List<String> viaGet = ids("Patient", "family", "formpost", "gender", "male,female");
    assertThat(viaGet).containsExactlyInAnyOrder(p1, p2);
    JsonPath posted = RestAssured.given().contentType("application/x-www-form-urlencoded").accept("application/fhir+json")
        .body("_tag=" + enc(TAG_SYSTEM + "|" + tag) + "&family=formpost&gender=" + enc("male,female"))
        .post("/Patient/_search").then().statusCode(200).extract().jsonPath();
    assertThat(posted.getString("type")).isEqualTo("searchset");
    assertThat(matchIds(posted)).containsExactlyInAnyOrderElementsOf(viaGet);
  }

  // ---- errors ---------------------------------------------------------------------------------

  @Test
  void unknownParameterWithStrictHandlingIs400NamingIt() {
    patient("\"active\":true");
    Response r = utf8().urlEncodingEnabled(false).header("Prefer", "handling=strict").get("/Patient?" + query("nosuchparam", "1"));
    assertError(r, 400, "nosuchparam");
    r = utf8().urlEncodingEnabled(false).header("Prefer", "handling=strict").get("/Patient?" + query("family:nosuchmod", "x"));
    assertError(r, 400, "nosuchmod");
  }

  @Test
  void unknownParameterWithoutPreferIsEitherIgnoredOrRejected() {
    String p = patient("\"active\":true");
    Response r = utf8().urlEncodingEnabled(false).get("/Patient?" + query("nosuchparam", "1"));
    if (r.statusCode() == 200) {
      assertThat(matchIds(r.jsonPath())).containsExactly(p);
    } else {
      assertError(r, 400, "nosuchparam");
    }
  }

  @Test
  void malformedValuesAndResultParametersAre400() {
    assertError(get("Patient", "birthdate", "notadate"), 400, "notadate");
    assertError(get("Patient", "birthdate", "xx1980-01-01"), 400, "xx1980-01-01");
    assertError(get("RiskAssessment", "probability", "zz0.5"), 400, "zz0.5");
    assertError(get("RiskAssessment", "probability", "abc"), 400, "abc");
    assertError(get("Observation", "value-quantity", "lots|" + UCUM + "|mg"), 400, "lots");
    assertError(get("Patient", "_sort", "nosuch"), 400, "nosuch");
    assertError(get("Patient", "gender:missing", "maybe"), 400, "maybe");
    get("Patient", "_count", "abc").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
    get("Patient", "_total", "sometimes").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
  }
}
