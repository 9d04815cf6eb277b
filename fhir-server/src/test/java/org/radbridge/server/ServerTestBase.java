package org.radbridge.server;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole application on a random port over real PostgreSQL —
 * the embedded one (thrown away afterwards) or the database in RADBRIDGE_TEST_DB_URL. All test
 * classes share one application context, so tests make their own unique data instead of relying
 * on an empty database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
public abstract class ServerTestBase {
  @LocalServerPort
  protected int port;

  @Autowired
  protected JdbcTemplate jdbc;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    String url = System.getenv("RADBRIDGE_TEST_DB_URL");
    if (url != null && !url.isBlank()) {
      registry.add("spring.datasource.url", () -> url);
      registry.add("spring.datasource.username", () -> envOr("RADBRIDGE_TEST_DB_USER", "postgres"));
      registry.add("spring.datasource.password", () -> envOr("RADBRIDGE_TEST_DB_PASSWORD", ""));
    } else {
      registry.add("radbridge.embedded-db.ephemeral", () -> "true");
    }
  }

  private static String envOr(String name, String dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : v;
  }

  @BeforeEach
  void restAssured() {
    RestAssured.port = port;
    RestAssured.basePath = "/fhir";
    RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
  }

  protected String base() {
    return "http://localhost:" + port + "/fhir";
  }

  /** A JSON request with the FHIR media type. */
  protected RequestSpecification json() {
    return RestAssured.given().contentType("application/fhir+json; charset=UTF-8").accept("application/fhir+json");
  }

  /** A value no other test (or earlier run on the same database) has used. */
  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  protected long count(String sql, Object... args) {
    Long n = jdbc.queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }
}
