package org.radbridge.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.TestServers;
import org.radbridge.server.TestTokens;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Records of reads are queued, not written with the request: a clean shutdown right after a burst
 * of reads stores every one of them before the database closes — after a restart the trail holds
 * exactly one record per read, found by date.
 */
class AuditShutdownTest {
  @TempDir
  Path data;

  @Test
  void aCleanShutdownStoresEveryQueuedRecord() {
    ConfigurableApplicationContext node = TestServers.onDataDir(data).start();
    int port = TestServers.port(node);
    Instant before = Instant.now();
    String id;
    int reads = 300;
    try {
      id = RestAssured.given().port(port).basePath("").contentType("application/fhir+json").body("{\"resourceType\":\"Patient\"}")
          .post("/fhir/Patient").then().statusCode(201).extract().path("id");
      for (int i = 0; i < reads; i++) {
        RestAssured.given().port(port).basePath("").accept("application/fhir+json").get("/fhir/Patient/" + id).then().statusCode(200);
      }
    } finally {
      node.close(); // at once: what is still queued must be stored on the way down
    }
    ConfigurableApplicationContext again = TestServers.onDataDir(data).start();
    try {
      int p2 = TestServers.port(again);
      String auditor = "Bearer " + TestTokens.token(p2, TestTokens.CLIENT_ID, TestTokens.key(), "radbridge/audit");
      List<String> trail = RestAssured.given().port(p2).basePath("").header("Authorization", auditor).accept("application/fhir+json")
          .queryParam("patient", "Patient/" + id).queryParam("date", "ge" + before).queryParam("_count", "1000")
          .get("/fhir/AuditEvent").then().statusCode(200).extract().jsonPath()
          .getList("entry.resource.collect { it.subtype[0].code }", String.class);
      assertThat(trail).filteredOn("read"::equals).hasSize(reads);
      assertThat(trail).filteredOn("create"::equals).hasSize(1);
      // and nothing before the date asked for
      assertThat(RestAssured.given().port(p2).basePath("").header("Authorization", auditor).accept("application/fhir+json")
          .queryParam("patient", "Patient/" + id).queryParam("date", "lt" + before)
          .get("/fhir/AuditEvent").then().statusCode(200).extract().jsonPath().getList("entry")).isNullOrEmpty();
    } finally {
      again.close();
    }
  }
}
