package org.radbridge.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

class CompartmentAndSystemSearchTest extends ServerTestBase {

  private String post(String type, String body) {
    return json().body(body).post("/" + type).then().statusCode(201).extract().jsonPath().getString("id");
  }

  private String tagged(String tag) {
    return "\"meta\":{\"tag\":[{\"system\":\"urn:test:tag\",\"code\":\"" + tag + "\"}]}";
  }

  @Test
  void compartmentSearchReturnsOnlyThePatientsResources() {
    String tag = unique("cmp");
    String p1 = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag) + "}");
    String p2 = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag) + "}");
    String r1 = post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\"," + tagged(tag)
        + ",\"status\":\"final\",\"code\":{\"text\":\"a\"},\"subject\":{\"reference\":\"Patient/" + p1 + "\"}}");
    String r2 = post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\"," + tagged(tag)
        + ",\"status\":\"preliminary\",\"code\":{\"text\":\"b\"},\"subject\":{\"reference\":\"Patient/" + p1 + "\"}}");
    post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\"," + tagged(tag)
        + ",\"status\":\"final\",\"code\":{\"text\":\"c\"},\"subject\":{\"reference\":\"Patient/" + p2 + "\"}}");

    assertThat(json().get("/Patient/" + p1 + "/DiagnosticReport").then().statusCode(200).extract().jsonPath()
        .<String>getList("entry.resource.id")).containsExactlyInAnyOrder(r1, r2);
    // with more criteria
    assertThat(json().queryParam("status", "final").get("/Patient/" + p1 + "/DiagnosticReport").then().statusCode(200)
        .extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(r1);
    // a type outside the Patient compartment has no members
    assertThat(json().get("/Patient/" + p1 + "/Organization").then().statusCode(200).extract().jsonPath()
        .<String>getList("entry")).isNullOrEmpty();
  }

  @Test
  void everythingReturnsThePatientItsCompartmentAndWhatThoseReferTo() {
    String tag = unique("all");
    String practitioner = post("Practitioner", "{\"resourceType\":\"Practitioner\"," + tagged(tag) + "}");
    String patient = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag)
        + ",\"generalPractitioner\":[{\"reference\":\"Practitioner/" + practitioner + "\"}]}");
    String other = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag) + "}");
    String order = post("ServiceRequest", "{\"resourceType\":\"ServiceRequest\",\"status\":\"active\",\"intent\":\"order\","
        + "\"subject\":{\"reference\":\"Patient/" + patient + "\"},"
        + "\"performer\":[{\"reference\":\"Organization/org-city-hospital\"}]}");
    String study = post("ImagingStudy", "{\"resourceType\":\"ImagingStudy\",\"status\":\"available\","
        + "\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"basedOn\":[{\"reference\":\"ServiceRequest/" + order + "\"}]}");
    String report = post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
        + "\"subject\":{\"reference\":\"Patient/" + patient + "\"}}");
    post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
        + "\"subject\":{\"reference\":\"Patient/" + other + "\"}}");

    JsonPath b = json().get("/Patient/" + patient + "/$everything").then().statusCode(200).extract().jsonPath();
    assertThat(b.getString("type")).isEqualTo("searchset");
    List<String> urls = b.getList("entry.fullUrl");
    assertThat(urls).extracting(u -> u.substring(u.indexOf("/fhir/") + 6)).containsExactlyInAnyOrder(
        "Patient/" + patient, "ServiceRequest/" + order, "ImagingStudy/" + study, "DiagnosticReport/" + report,
        "Practitioner/" + practitioner, "Organization/org-city-hospital"); // routed: the reading hospital
    assertThat(b.<String>getList("entry.findAll { it.search.mode == 'include' }.resource.id"))
        .containsExactlyInAnyOrder(practitioner, "org-city-hospital");

    json().get("/Patient/" + unique("nobody") + "/$everything").then().statusCode(404);
  }

  @Test
  void systemSearchAcrossTypesWithType() {
    String tag = unique("sys");
    String p = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag) + "}");
    String o = post("Organization", "{\"resourceType\":\"Organization\"," + tagged(tag) + "}");
    post("Practitioner", "{\"resourceType\":\"Practitioner\"," + tagged(tag) + "}");

    assertThat(json().queryParam("_type", "Patient,Organization").queryParam("_tag", "urn:test:tag|" + tag).get("")
        .then().statusCode(200).extract().jsonPath().<String>getList("entry.resource.id")).containsExactlyInAnyOrder(p, o);
    // without _type: every type, common parameters only
    assertThat(json().queryParam("_tag", "urn:test:tag|" + tag).get("").then().statusCode(200).extract().jsonPath()
        .<String>getList("entry.resource.resourceType")).containsExactlyInAnyOrder("Patient", "Organization", "Practitioner");
    json().queryParam("_type", "Nope").get("").then().statusCode(400).body("issue[0].diagnostics", containsString("Nope"));
  }

  @Test
  void unknownParametersAreIgnoredAndLeftOutOfTheSelfLinkUnlessStrict() {
    String tag = unique("len");
    String p = post("Patient", "{\"resourceType\":\"Patient\"," + tagged(tag) + "}");
    JsonPath b = json().queryParam("_tag", "urn:test:tag|" + tag).queryParam("nonsense", "1").get("/Patient")
        .then().statusCode(200).extract().jsonPath();
    assertThat(b.<String>getList("entry.resource.id")).containsExactly(p);
    String self = b.getString("link.find { it.relation == 'self' }.url");
    assertThat(self).contains("_tag=").doesNotContain("nonsense");
    json().header("Prefer", "handling=strict").queryParam("_tag", "urn:test:tag|" + tag).queryParam("nonsense", "1")
        .get("/Patient").then().statusCode(400).body("issue[0].diagnostics", containsString("nonsense"));
  }

  @Test
  void identifierOfTypeAndReferenceIdentifierModifiers() {
    String mr = unique("mr");
    String p = post("Patient", "{\"resourceType\":\"Patient\",\"identifier\":[{\"type\":{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"system\":\"urn:test:mr\",\"value\":\"" + mr + "\"}]}");
    assertThat(json().queryParam("identifier:of-type", "http://terminology.hl7.org/CodeSystem/v2-0203|MR|" + mr)
        .get("/Patient").then().statusCode(200).extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(p);
    assertThat(json().queryParam("identifier:of-type", "http://terminology.hl7.org/CodeSystem/v2-0203|PI|" + mr)
        .get("/Patient").then().statusCode(200).extract().jsonPath().<String>getList("entry")).isNullOrEmpty();
    String r = post("DiagnosticReport", "{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
        + "\"subject\":{\"identifier\":{\"system\":\"urn:test:mr\",\"value\":\"" + mr + "\"}}}");
    assertThat(json().queryParam("subject:identifier", "urn:test:mr|" + mr).get("/DiagnosticReport").then().statusCode(200)
        .extract().jsonPath().<String>getList("entry.resource.id")).containsExactly(r);
  }

  @Test
  void sortOnAMultiValuedDateListsEachResourceOnceAtItsEarliestOrLatestValue() {
    String tag = unique("goal");
    String goal = "{\"resourceType\":\"Goal\"," + tagged(tag) + ",\"lifecycleStatus\":\"active\","
        + "\"description\":{\"text\":\"g\"},\"subject\":{\"reference\":\"Patient/p\"},\"target\":[%s]}";
    String g1 = post("Goal", goal.formatted("{\"dueDate\":\"2024-01-01\"},{\"dueDate\":\"2024-06-01\"}"));
    String g2 = post("Goal", goal.formatted("{\"dueDate\":\"2024-03-01\"}"));
    String g3 = post("Goal", goal.formatted("{\"dueDate\":\"2023-12-01\"},{\"dueDate\":\"2024-04-01\"}"));
    String g4 = post("Goal", goal.formatted(""));
    // ascending by each goal's earliest date, descending by its latest; the goal without a date last
    assertThat(ids(tag, "target-date")).containsExactly(g3, g1, g2, g4);
    assertThat(ids(tag, "-target-date")).containsExactly(g1, g3, g2, g4);
    // paged one by one, forward, the same order and no goal twice
    List<String> walked = new java.util.ArrayList<>();
    JsonPath page = json().queryParam("_tag", "urn:test:tag|" + tag).queryParam("_sort", "-target-date")
        .queryParam("_count", 1).get("/Goal").then().statusCode(200).extract().jsonPath();
    while (true) {
      walked.addAll(page.getList("entry.resource.id"));
      String next = page.getString("link.find { it.relation == 'next' }.url");
      if (next == null) break;
      page = json().get(next.substring(next.indexOf("/fhir") + 5)).then().statusCode(200).extract().jsonPath();
    }
    assertThat(walked).containsExactly(g1, g3, g2, g4);
  }

  private List<String> ids(String tag, String sort) {
    return json().queryParam("_tag", "urn:test:tag|" + tag).queryParam("_sort", sort).get("/Goal").then().statusCode(200)
        .extract().jsonPath().getList("entry.resource.id");
  }
}
