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
    registry.add("radbridge.terminology.concept-map-dir", () -> "src/test/resources/conceptmaps");
    registry.add("radbridge.dicom.port", () -> "0");
    // DICOM files and HL7 id counters of a test run live in a temporary directory, not ./data
    registry.add("radbridge.data-dir", ServerTestBase::testDataDir);
    registry.add("radbridge.hl7v2.port", () -> "0");
    // a stalled request body (the bad-input corpus sends some) is cut after 3 s, not 20
    registry.add("server.tomcat.connection-timeout", () -> "3s");
    // retries in milliseconds, not seconds, so delivery tests can watch several of them
    registry.add("radbridge.outbox.initial-backoff", () -> "40ms");
    registry.add("radbridge.outbox.max-backoff", () -> "400ms");
    registry.add("radbridge.outbox.poll-interval", () -> "50ms");
    // test receivers listen on 127.0.0.1; nothing else may be a rest-hook endpoint
    registry.add("radbridge.subscriptions.allowed-endpoints[0]", () -> "http://127.0.0.1:");
    registry.add("radbridge.subscriptions.poll-interval", () -> "200");
    // a reading organisation with a one-second SLA, watched often, for the SLA flag tests
    registry.add("radbridge.workflow.sla-by-reading.sla-test.routine", () -> "1s");
    registry.add("radbridge.workflow.sla-check-interval", () -> "200");
    for (String[] kv : testNetwork()) {
      registry.add("radbridge.network." + kv[0], () -> kv[1]);
    }
    for (String[] kv : TestTokens.clientSettings()) {
      registry.add("radbridge.network." + kv[0], () -> kv[1]);
    }
    // people who log in through the console client (PeopleLoginTest)
    for (String[] kv : TestTokens.peopleSettings()) {
      registry.add("radbridge.security." + kv[0], () -> kv[1]);
    }
  }

  /** The test network (radbridge.network.* without the prefix), for the shared context and extra nodes. */
  public static String[][] testNetwork() {
    // a small network: two community centres, two reading hospitals, one modality, one HIS
    return new String[][] {
        {"organizations[0].key", "centre-a"}, {"organizations[0].name", "Centre A Community Health Centre"},
        {"organizations[0].kind", "community-centre"}, {"organizations[0].region", "north"},
        {"organizations[1].key", "centre-b"}, {"organizations[1].kind", "community-centre"},
        {"organizations[2].key", "city-hospital"}, {"organizations[2].name", "City Hospital Radiology"},
        {"organizations[2].kind", "reading-hospital"},
        {"organizations[3].key", "north-hospital"}, {"organizations[3].kind", "reading-hospital"},
        {"organizations[4].key", "regional-exchange"}, {"organizations[4].kind", "exchange"},
        {"dicom-nodes[0].ae-title", "CT_A"}, {"dicom-nodes[0].host", "127.0.0.1"}, {"dicom-nodes[0].port", "11200"},
        {"dicom-nodes[0].organization", "centre-a"}, {"dicom-nodes[0].role", "modality"}, {"dicom-nodes[0].modality", "CT"},
        {"dicom-nodes[1].ae-title", "CITY_PACS"}, {"dicom-nodes[1].host", "127.0.0.1"}, {"dicom-nodes[1].port", "11201"},
        {"dicom-nodes[1].organization", "city-hospital"}, {"dicom-nodes[1].role", "pacs"},
        {"dicom-nodes[2].ae-title", "US_B"}, {"dicom-nodes[2].host", "127.0.0.1"}, {"dicom-nodes[2].port", "11202"},
        {"dicom-nodes[2].organization", "centre-b"}, {"dicom-nodes[2].role", "modality"}, {"dicom-nodes[2].modality", "US"},
        {"dicom-nodes[2].character-set", "GB18030"},
        // tests connect from 127.0.0.1; CT_A and the others are recognised by their host's address (the
        // default), US_B by a range that also holds 127.0.0.2 (a second peer address for the limit tests)
        {"dicom-nodes[2].addresses[0]", "127.0.0.0/30"},
        {"dicom-nodes[3].ae-title", "NORTH_PACS"}, {"dicom-nodes[3].host", "127.0.0.1"}, {"dicom-nodes[3].port", "11203"},
        {"dicom-nodes[3].organization", "north-hospital"}, {"dicom-nodes[3].role", "pacs"},
        // the regional exchange's query node (study-root C-FIND across the network)
        {"dicom-nodes[4].ae-title", "EXCHANGE_Q"}, {"dicom-nodes[4].host", "127.0.0.1"}, {"dicom-nodes[4].port", "11204"},
        {"dicom-nodes[4].organization", "regional-exchange"}, {"dicom-nodes[4].role", "workstation"},
        {"hl7-applications[0].sending-application", "HIS_A"}, {"hl7-applications[0].sending-facility", "CENTRE_A"},
        {"hl7-applications[0].organization", "centre-a"},
        {"hl7-applications[0].outbound", "127.0.0.1:" + receivers().centreHis().port()},
        {"hl7-applications[1].sending-application", "HIS_B"}, {"hl7-applications[1].sending-facility", "CENTRE_B"},
        {"hl7-applications[1].organization", "centre-b"},
        // no outbound address to take the source address from: given (else its messages are refused)
        {"hl7-applications[1].addresses[0]", "127.0.0.1"},
        {"hl7-applications[2].sending-application", "RIS_CITY"}, {"hl7-applications[2].sending-facility", "CITY_HOSP"},
        {"hl7-applications[2].organization", "city-hospital"},
        {"hl7-applications[2].outbound", "127.0.0.1:" + receivers().hospitalRis().port()},
        {"hl7-applications[3].sending-application", "RIS_NORTH"}, {"hl7-applications[3].sending-facility", "NORTH_HOSP"},
        {"hl7-applications[3].organization", "north-hospital"},
        {"hl7-applications[3].outbound", "127.0.0.1:" + receivers().hospitalRis().port()},
        // the centre's order management system sends OMI^O23 and takes nothing back
        {"hl7-applications[4].sending-application", "PACSOMS"}, {"hl7-applications[4].sending-facility", "CENTRE_A"},
        {"hl7-applications[4].organization", "centre-a"},
        {"hl7-applications[4].addresses[0]", "127.0.0.1"},
        {"issuers.CENTRE_A_MRN", "https://radbridge.org/fhir/sid/centre-a/mrn"},
        {"routing.rules[0].from", "centre-a"}, {"routing.rules[0].modality", "MR"}, {"routing.rules[0].reading", "north-hospital"},
        {"routing.rules[1].priority", "stat"}, {"routing.rules[1].reading", "north-hospital"},
        {"routing.default-reading", "city-hospital"}};
  }

  private static String testDataDir;

  /** The test network's HL7 v2 receivers: the centre's HIS (HIS_A) and the hospitals' RIS (one listener for both). */
  protected record Receivers(org.radbridge.server.hl7v2.TestMllpReceiver centreHis,
      org.radbridge.server.hl7v2.TestMllpReceiver hospitalRis) {}

  private static Receivers receivers;

  protected static synchronized Receivers receivers() {
    if (receivers == null) {
      try {
        receivers = new Receivers(new org.radbridge.server.hl7v2.TestMllpReceiver(0),
            new org.radbridge.server.hl7v2.TestMllpReceiver(0));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return receivers;
  }

  private static synchronized String testDataDir() {
    if (testDataDir == null) {
      try {
        testDataDir = java.nio.file.Files.createTempDirectory("radbridge-test-").toString();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return testDataDir;
  }

  private static String envOr(String name, String dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : v;
  }

  @Autowired
  protected org.radbridge.server.readiness.ReadinessGate readiness;

  /** Tests write: they start once RadBridge takes writes (the first test of a run waits for start-up). */
  @BeforeEach
  void awaitReady() {
    Await.until("RadBridge ready (start-up work done)", java.time.Duration.ofSeconds(120), readiness::isReady);
  }

  static {
    // every REST Assured request carries a bearer token of its node (TestTokens), unless it has its own
    TestTokens.installRestAssuredFilter();
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

  /**
   * Waits until the readiness probe is UP: the background start-up has built the validator and
   * stored the shipped conformance resources and ConceptMaps, and the network directory is seeded.
   */
  protected void awaitConformanceReady() {
    Await.until("the readiness probe UP", java.time.Duration.ofSeconds(120),
        () -> RestAssured.given().basePath("").get("/actuator/health/readiness").statusCode() == 200);
  }

  /** One of the network's example resources (profiles module), as JSON text. */
  protected static String example(String file) {
    try (java.io.InputStream in = ServerTestBase.class.getClassLoader()
        .getResourceAsStream("radbridge/examples/" + file + ".json")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  protected long count(String sql, Object... args) {
    Long n = jdbc.queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }
}
