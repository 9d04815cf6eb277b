package org.radbridge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;

class OperationsTest extends ServerTestBase {
  @Autowired
  WebServerApplicationContext web;

  @Test
  void healthReportsTheDatabase() {
    RestAssured.given().basePath("").get("/actuator/health").then().statusCode(200)
        .body("status", equalTo("UP"))
        .body("components.db.status", equalTo("UP"))
        .body("components.db.details.database", equalTo("PostgreSQL"));
  }

  @Test
  @org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable(named = "RADBRIDGE_TEST_DB_URL", matches = ".+",
      disabledReason = "an external test database is configured by whoever runs it")
  void theEmbeddedDatabaseMakesEveryCommitDurable() {
    assertThat(jdbc.queryForObject("SHOW fsync", String.class)).isEqualTo("on");
    assertThat(jdbc.queryForObject("SHOW synchronous_commit", String.class)).isEqualTo("on");
    assertThat(jdbc.queryForObject("SHOW full_page_writes", String.class)).isEqualTo("on");
  }

  @Test
  void prometheusMetricsIncludeHttpRequests() {
    json().get("/metadata").then().statusCode(200);
    String metrics = RestAssured.given().basePath("").get("/actuator/prometheus").then().statusCode(200)
        .extract().asString();
    assertThat(metrics).contains("http_server_requests_seconds_count").contains("hikaricp_connections_active")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void capabilityStatementListsEveryTypeWithTheInteractionsThatWork() {
    JsonPath cs = json().get("/metadata").then().statusCode(200)
        .body("resourceType", equalTo("CapabilityStatement"))
        .body("fhirVersion", equalTo("4.0.1"))
        .body("software.name", equalTo("RadBridge"))
        .body("format", hasItems("application/fhir+json", "application/fhir+xml"))
        .extract().jsonPath();
    List<String> types = cs.getList("rest[0].resource.type");
    assertThat(types).hasSize(146).contains("Patient", "ServiceRequest", "ImagingStudy", "DiagnosticReport",
        "Endpoint", "Organization", "Practitioner");
    List<String> patientInteractions = cs.getList("rest[0].resource.find { it.type == 'Patient' }.interaction.code");
    assertThat(patientInteractions).containsExactlyInAnyOrder("read", "vread", "create", "update", "patch", "delete",
        "history-instance", "history-type", "search-type");
    assertThat(cs.getString("rest[0].resource.find { it.type == 'Patient' }.versioning")).isEqualTo("versioned-update");
    assertThat(cs.getBoolean("rest[0].resource.find { it.type == 'Patient' }.conditionalCreate")).isTrue();
    assertThat(cs.getString("rest[0].resource.find { it.type == 'Patient' }.conditionalDelete")).isEqualTo("single");
    // every search parameter that works is listed, with its type; composite ones are not built and not listed
    List<String> drParams = cs.getList("rest[0].resource.find { it.type == 'DiagnosticReport' }.searchParam.name");
    assertThat(drParams).contains("subject", "patient", "based-on", "code", "status", "issued", "date", "identifier",
        "_id", "_lastUpdated", "_tag", "_profile", "_security");
    assertThat(cs.getString("rest[0].resource.find { it.type == 'DiagnosticReport' }.searchParam.find { it.name == 'issued' }.type"))
        .isEqualTo("date");
    assertThat(cs.getList("rest[0].resource.find { it.type == 'Observation' }.searchParam.name"))
        .contains("code", "value-quantity").doesNotContain("code-value-quantity");
    assertThat(cs.getList("rest[0].interaction.code")).contains("history-system");
  }

  @Test
  void capabilityStatementDeclaresBatchAndTransactionAndBothWork() {
    assertThat(json().get("/metadata").then().statusCode(200).extract().jsonPath().getList("rest[0].interaction.code"))
        .contains("batch", "transaction");
    String family = unique("Batch");
    JsonPath response = json().body("""
        {"resourceType":"Bundle","type":"batch","entry":[
          {"resource":{"resourceType":"Patient","name":[{"family":"%s"}]},"request":{"method":"POST","url":"Patient"}}]}"""
        .formatted(family)).post("").then().statusCode(200).body("type", equalTo("batch-response"))
        .extract().jsonPath();
    assertThat(response.getString("entry[0].response.status")).startsWith("201");
    json().get("/Patient?family=" + family).then().statusCode(200).body("entry[0].resource.name[0].family", equalTo(family));
  }

  @Test
  void httpListensOnTheConfiguredBindAddressOnly() {
    TomcatWebServer tomcat = (TomcatWebServer) web.getWebServer();
    Object address = tomcat.getTomcat().getConnector().getProperty("address");
    assertThat(String.valueOf(address)).contains("127.0.0.1");
  }

  @Test
  void everyRequestIsLoggedWithMethodPathStatusAndTime() throws InterruptedException {
    Logger logger = (Logger) LoggerFactory.getLogger("radbridge.request");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String marker = unique("log");
      json().get("/Patient/" + marker).then().statusCode(404);
      // the line is written after the response has gone out: give it a moment
      Await.until("the request's log line", java.time.Duration.ofSeconds(1),
          () -> List.copyOf(appender.list).stream().anyMatch(e -> e.getFormattedMessage().contains(marker)));
      assertThat(List.copyOf(appender.list)).anySatisfy(e ->
          assertThat(e.getFormattedMessage()).matches("GET /fhir/Patient/" + marker + " 404 \\d+ms id=\\w+"));
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void theRequestLogNamesQueryParametersButNeverTheirValues() {
    Logger logger = (Logger) LoggerFactory.getLogger("radbridge.request");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String family = unique("Secret-Family");
      String mrn = unique("mrn");
      json().header("X-Request-ID", "trace-" + family.hashCode()).queryParam("family", family)
          .queryParam("identifier", "urn:test:mrn|" + mrn).queryParam("birthdate", "1990-01-02")
          .get("/Patient").then().statusCode(200);
      String id = "trace-" + family.hashCode();
      Await.until("the request's log line", java.time.Duration.ofSeconds(1),
          () -> List.copyOf(appender.list).stream().anyMatch(e -> e.getFormattedMessage().endsWith("id=" + id)));
      String line = List.copyOf(appender.list).stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.endsWith("id=" + id)).findFirst().orElseThrow();
      assertThat(line).matches("GET /fhir/Patient\\?family&identifier&birthdate 200 \\d+ms id=" + id)
          .doesNotContain(family).doesNotContain(mrn).doesNotContain("1990");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void unknownPathUnderFhirIsAnOperationOutcome() {
    json().get("/Patient/x/y/z/w").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
        .body("resourceType", equalTo("OperationOutcome"))
        .body("issue[0].diagnostics", containsString("Patient"));
  }
}
