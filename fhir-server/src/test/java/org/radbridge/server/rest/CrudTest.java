package org.radbridge.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

class CrudTest extends ServerTestBase {

  private String patient(String mrn, String family) {
    return """
        {"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"%s"}],
         "name":[{"family":"%s","given":["Ana"]}],"gender":"female","birthDate":"1980-05-17"}
        """.formatted(mrn, family);
  }

  private Response create(String body) {
    return json().body(body).post("/Patient");
  }

  @Test
  void createAssignsOpaqueIdVersionAndMetaAndHeaders() {
    String mrn = unique("mrn");
    Response r = create(patient(mrn, "Silva"));
    r.then().statusCode(201)
        .header("ETag", "W/\"1\"")
        .header("Last-Modified", org.hamcrest.Matchers.notNullValue())
        .header("Location", matchesPattern(base() + "/Patient/[0-9a-f-]{36}/_history/1"))
        .body("resourceType", equalTo("Patient"))
        .body("meta.versionId", equalTo("1"))
        .body("identifier[0].value", equalTo(mrn))
        .body("name[0].family", equalTo("Silva"));
    String id = r.jsonPath().getString("id");
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    Instant lastUpdated = Instant.parse(r.jsonPath().getString("meta.lastUpdated").replace("+00:00", "Z"));
    assertThat(lastUpdated).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));

    json().get("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"1\"")
        .body("id", equalTo(id))
        .body("name[0].given[0]", equalTo("Ana"))
        .body("birthDate", equalTo("1980-05-17"));
  }

  @Test
  void createIgnoresIdInBody() {
    String body = patient(unique("mrn"), "Body").replace("{\"resourceType\":\"Patient\",",
        "{\"resourceType\":\"Patient\",\"id\":\"chosen-by-client\",");
    String id = create(body).then().statusCode(201).extract().jsonPath().getString("id");
    assertThat(id).isNotEqualTo("chosen-by-client");
  }

  @Test
  void updateMakesNewVersionAndVreadReturnsEachVersion() {
    String id = create(patient(unique("mrn"), "Before")).jsonPath().getString("id");
    String v2 = """
        {"resourceType":"Patient","id":"%s","name":[{"family":"After"}],"gender":"male"}""".formatted(id);
    json().body(v2).put("/Patient/" + id).then().statusCode(200)
        .header("ETag", "W/\"2\"")
        .body("meta.versionId", equalTo("2"))
        .body("name[0].family", equalTo("After"));

    json().get("/Patient/" + id).then().statusCode(200).body("name[0].family", equalTo("After"));
    json().get("/Patient/" + id + "/_history/1").then().statusCode(200)
        .body("meta.versionId", equalTo("1")).body("name[0].family", equalTo("Before"));
    json().get("/Patient/" + id + "/_history/2").then().statusCode(200)
        .body("meta.versionId", equalTo("2")).body("name[0].family", equalTo("After"));
    json().get("/Patient/" + id + "/_history/3").then().statusCode(404)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("Version 3"));
  }

  @Test
  void updateAsCreateAcceptsAnyValidClientId() {
    for (String id : List.of("1" + System.nanoTime() % 100000, "example-" + System.nanoTime(), "a.b-C." + System.nanoTime())) {
      String body = "{\"resourceType\":\"Organization\",\"id\":\"" + id + "\",\"name\":\"Clinic " + id + "\"}";
      json().body(body).put("/Organization/" + id).then().statusCode(201)
          .header("Location", startsWith(base() + "/Organization/" + id + "/_history/1"))
          .body("id", equalTo(id)).body("meta.versionId", equalTo("1"));
      json().get("/Organization/" + id).then().statusCode(200).body("name", equalTo("Clinic " + id));
    }
    // the literal ids "1" and "example" work too (idempotent when an earlier run used them)
    for (String id : List.of("1", "example")) {
      String body = "{\"resourceType\":\"Basic\",\"id\":\"" + id + "\",\"code\":{\"text\":\"t\"}}";
      json().body(body).put("/Basic/" + id).then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)))
          .body("id", equalTo(id));
      json().get("/Basic/" + id).then().statusCode(200).body("id", equalTo(id));
    }
  }

  @Test
  void staleIfMatchIsRefusedWith412AndWritesNothing() {
    String id = create(patient(unique("mrn"), "Stale")).jsonPath().getString("id");
    String v2 = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"gender\":\"male\"}";
    json().header("If-Match", "W/\"1\"").body(v2).put("/Patient/" + id).then().statusCode(200)
        .body("meta.versionId", equalTo("2"));
    json().header("If-Match", "W/\"1\"").body(v2).put("/Patient/" + id).then().statusCode(412)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("not the current version 2"));
    assertThat(count("SELECT count(*) FROM resource_version v JOIN resource r USING (res_pk) WHERE r.res_id = ?", id))
        .isEqualTo(2);
    json().header("If-Match", "W/\"1\"").delete("/Patient/" + id).then().statusCode(412);
    json().get("/Patient/" + id).then().statusCode(200).body("meta.versionId", equalTo("2"));
  }

  @Test
  void deleteIsSoftReadAnswers410AndHistoryKeepsVersions() {
    String id = create(patient(unique("mrn"), "Gone")).jsonPath().getString("id");
    json().delete("/Patient/" + id).then().statusCode(200)
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("Deleted Patient/" + id));
    json().get("/Patient/" + id).then().statusCode(410).body("resourceType", equalTo("OperationOutcome"));
    json().get("/Patient/" + id + "/_history/1").then().statusCode(200).body("name[0].family", equalTo("Gone"));
    json().get("/Patient/" + id + "/_history/2").then().statusCode(410);
    // deleting again changes nothing
    json().delete("/Patient/" + id).then().statusCode(200);
    JsonPath h = json().get("/Patient/" + id + "/_history").then().statusCode(200).extract().jsonPath();
    assertThat(h.getString("type")).isEqualTo("history");
    assertThat(h.getList("entry.request.method")).containsExactly("DELETE", "POST");
    assertThat(h.getList("entry.request.url")).containsExactly("Patient/" + id + "/_history/2", "Patient/" + id + "/_history/1");
    // no index rows remain for a deleted resource
    assertThat(count("SELECT count(*) FROM idx_string s JOIN resource r USING (res_pk) WHERE r.res_id = ?", id)).isZero();
    // an update brings it back as a new version
    json().body("{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"gender\":\"other\"}").put("/Patient/" + id)
        .then().statusCode(201).body("meta.versionId", equalTo("3"));
    json().get("/Patient/" + id).then().statusCode(200).body("gender", equalTo("other"));
  }

  @Test
  void deleteOfUnknownResourceIs404() {
    json().delete("/Patient/" + unique("never")).then().statusCode(404).body("resourceType", equalTo("OperationOutcome"));
    json().get("/Patient/" + unique("never")).then().statusCode(404).body("resourceType", equalTo("OperationOutcome"));
  }

  @Test
  void historyAtInstanceTypeAndSystemLevelWithSinceAndCount() {
    String type = "Device";
    String marker = unique("dev");
    Instant before = Instant.now().minusMillis(5);
    String id = json().body("{\"resourceType\":\"Device\",\"manufacturer\":\"" + marker + "\"}").post("/" + type)
        .then().statusCode(201).extract().jsonPath().getString("id");
    for (int i = 2; i <= 4; i++) {
      json().body("{\"resourceType\":\"Device\",\"id\":\"" + id + "\",\"manufacturer\":\"" + marker + "-" + i + "\"}")
          .put("/Device/" + id).then().statusCode(200);
    }
    // instance history newest first, paged by _count with next links that walk to the end
    JsonPath page1 = json().get("/Device/" + id + "/_history?_count=3").then().statusCode(200).extract().jsonPath();
    assertThat(page1.getList("entry.resource.meta.versionId")).containsExactly("4", "3", "2");
    String next = page1.getString("link.find { it.relation == 'next' }.url");
    assertThat(next).isNotNull();
    JsonPath page2 = json().get(next.replace(base(), "")).then().statusCode(200).extract().jsonPath();
    assertThat(page2.getList("entry.resource.meta.versionId")).containsExactly("1");
    assertThat(page2.getString("link.find { it.relation == 'next' }.url")).isNull();

    // _since: only versions at or after the instant
    String since = json().get("/Device/" + id + "/_history/3").jsonPath().getString("meta.lastUpdated");
    JsonPath sinceH = json().queryParam("_since", since).get("/Device/" + id + "/_history").then().statusCode(200)
        .extract().jsonPath();
    assertThat(sinceH.getList("entry.resource.meta.versionId")).containsExactly("4", "3");

    // type-level history contains this device's 4 versions (since a point before it was created)
    JsonPath typeH = json().queryParam("_since", before.toString()).queryParam("_count", 1000)
        .get("/Device/_history").then().statusCode(200).extract().jsonPath();
    List<String> urls = typeH.getList("entry.request.url");
    assertThat(urls).contains("Device/" + id + "/_history/4", "Device/" + id + "/_history/1");
    assertThat(urls).allMatch(u -> u.startsWith("Device/"));

    // system-level history holds it too
    JsonPath sysH = json().queryParam("_since", before.toString()).queryParam("_count", 1000)
        .get("/_history").then().statusCode(200).extract().jsonPath();
    assertThat(sysH.<String>getList("entry.request.url")).contains("Device/" + id + "/_history/2");
  }

  @Test
  void historyPagesNeitherSkipNorRepeatWhenWritesArriveWhilePaging() {
    String marker = unique("pg");
    Instant start = Instant.now().minusMillis(5);
    for (int i = 0; i < 7; i++) {
      json().body("{\"resourceType\":\"Substance\",\"code\":{\"text\":\"" + marker + i + "\"}}").post("/Substance")
          .then().statusCode(201);
    }
    JsonPath page = json().queryParam("_since", start.toString()).queryParam("_count", 3).get("/Substance/_history")
        .then().statusCode(200).extract().jsonPath();
    List<String> seen = new java.util.ArrayList<>(page.getList("entry.fullUrl"));
    // a write between pages must not shift the walk
    json().body("{\"resourceType\":\"Substance\",\"code\":{\"text\":\"late\"}}").post("/Substance").then().statusCode(201);
    String next = page.getString("link.find { it.relation == 'next' }.url");
    while (next != null) {
      page = json().get(next.replace(base(), "")).then().statusCode(200).extract().jsonPath();
      seen.addAll(page.getList("entry.fullUrl"));
      next = page.getString("link.find { it.relation == 'next' }.url");
    }
    assertThat(seen).hasSize(7).doesNotHaveDuplicates();
  }

  @Test
  void readOfEveryKindOfTypeWorksGenerically() {
    String body = """
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"Patient/p1"},
         "identifier":[{"system":"urn:dicom:uid","value":"urn:oid:1.2.3.%d"}],
         "series":[{"uid":"1.2.3.4.1","modality":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"CT"},
           "instance":[{"uid":"1.2.3.4.1.1","sopClass":{"system":"urn:ietf:rfc:3986","code":"urn:oid:1.2.840.10008.5.1.4.1.1.2"}}]}]}
        """.formatted(System.nanoTime());
    String id = json().body(body).post("/ImagingStudy").then().statusCode(201).extract().jsonPath().getString("id");
    json().get("/ImagingStudy/" + id).then().statusCode(200)
        .body("series", hasSize(1)).body("series[0].instance[0].uid", equalTo("1.2.3.4.1.1"));
  }

  @Test
  void plainJsonReadServedFromStorageEqualsHapisEncoding() {
    String body = patient(unique("mrn"), "Fäst").replace("\"gender\"", "\"text\":{\"status\":\"generated\","
        + "\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">Fäst</div>\"},\"gender\"");
    String id = create(body).then().statusCode(201).extract().jsonPath().getString("id");
    json().body("{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"multipleBirthInteger\":2,"
        + "\"extension\":[{\"url\":\"urn:x\",\"valueDecimal\":5.40}]}").put("/Patient/" + id).then().statusCode(200);
    // plain read (served from the stored JSON) vs the same read through HAPI's encoder (_format forces it)
    Response plain = RestAssured.given().get("/Patient/" + id);
    Response viaHapi = RestAssured.given().queryParam("_format", "json").get("/Patient/" + id);
    plain.then().statusCode(200).header("ETag", "W/\"2\"").header("Content-Type", "application/fhir+json;charset=UTF-8")
        .header("Last-Modified", viaHapi.header("Last-Modified"))
        .header("Content-Location", viaHapi.header("Content-Location"));
    assertThat(plain.asString()).isEqualTo(viaHapi.asString()).contains("5.40");
    Response v1 = RestAssured.given().get("/Patient/" + id + "/_history/1");
    assertThat(v1.asString()).isEqualTo(RestAssured.given().queryParam("_format", "json").get("/Patient/" + id + "/_history/1").asString())
        .contains("Fäst");
    // a deleted resource still answers 410 with an OperationOutcome
    json().delete("/Patient/" + id).then().statusCode(200);
    RestAssured.given().get("/Patient/" + id).then().statusCode(410).body("resourceType", equalTo("OperationOutcome"));
  }
}
