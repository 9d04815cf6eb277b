package org.radbridge.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** With no datasource configured the server keeps its data in the data directory across restarts. */
@DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
    disabledReason = "checks the embedded database, which is not used when an external one is given")
class EmbeddedDatabaseRestartTest {
  @TempDir
  Path dataDir;

  private ConfigurableApplicationContext start() {
    return org.radbridge.server.TestServers.onDataDir(dataDir).start();
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  @Test
  void dataSurvivesARestart() throws Exception {
    String id;
    try (ConfigurableApplicationContext first = start()) {
      id = RestAssured.given().port(port(first)).basePath("").contentType("application/fhir+json")
          .body("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Persistent\"}]}")
          .post("/fhir/Patient").then().statusCode(201).extract().jsonPath().getString("id");
    }
    assertThat(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION"))).isTrue();
    // a new cluster: its password rw------- beside it, no connection without it
    assertThat(Files.getPosixFilePermissions(dataDir.resolve("postgres").resolve(EmbeddedPostgresPassword.FILE_NAME)))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(dataDir.resolve("postgres").resolve("pg_hba.conf")).hasContent(EmbeddedPostgresPassword.PG_HBA);
    try (ConfigurableApplicationContext second = start()) {
      RestAssured.given().port(port(second)).basePath("").get("/fhir/Patient/" + id).then().statusCode(200)
          .body("name[0].family", org.hamcrest.Matchers.equalTo("Persistent"));
    }
  }
}
