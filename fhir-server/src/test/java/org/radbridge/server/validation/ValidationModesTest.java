package org.radbridge.server.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestServers;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The validation settings other than the default (enforce, claimed profiles only): settings are
 * fixed at start, so each set runs on a node of its own on the test database. One node warns
 * instead of refusing, validates unclaimed resources against the base specification and requires
 * the network's order profile of every ServiceRequest; another validates nothing.
 */
class ValidationModesTest extends ServerTestBase {
  private static final String SR_PROFILE = "https://radbridge.org/fhir/StructureDefinition/rb-service-request";
  private static ConfigurableApplicationContext warn;
  private static ConfigurableApplicationContext off;

  @BeforeAll
  static void nodes(@Autowired DataSource dataSource) {
    warn = TestServers.sharing(dataSource).with("radbridge.validation.mode", "warn")
        .with("radbridge.validation.base-spec", true)
        .with("radbridge.validation.required-profiles.ServiceRequest", SR_PROFILE).start();
    off = TestServers.sharing(dataSource).with("radbridge.validation.mode", "off").start();
  }

  @AfterAll
  static void stop() {
    warn.close();
    off.close();
  }

  private static RequestSpecification on(ConfigurableApplicationContext node) {
    return RestAssured.given().port(TestServers.port(node)).basePath("/fhir")
        .contentType("application/fhir+json; charset=UTF-8").accept("application/fhir+json");
  }

  @Test
  void warnModeWritesAndReportsTheFailureAsWarning() {
    String marker = unique("warn");
    on(warn).header("Prefer", "return=OperationOutcome").body(ValidationTest.orderWithoutPriority(marker))
        .post("/ServiceRequest").then().statusCode(201)
        .body("issue.findAll { it.severity == 'warning' }.diagnostics", hasItem(containsString("ServiceRequest.priority: minimum required = 1")));
    assertThat(count("SELECT count(*) FROM resource WHERE res_type = 'ServiceRequest' AND content LIKE ?",
        "%" + marker + "%")).isEqualTo(1);
  }

  @Test
  void offModeValidatesNothing() {
    on(off).header("Prefer", "return=OperationOutcome").body(ValidationTest.orderWithoutPriority(unique("off")))
        .post("/ServiceRequest").then().statusCode(201)
        .body("issue.findAll { it.severity == 'warning' }", org.hamcrest.Matchers.empty());
    // the shared node, in the default enforce mode, refuses the same order
    json().body(ValidationTest.orderWithoutPriority(unique("on"))).post("/ServiceRequest").then().statusCode(422);
  }

  @Test
  void anUnclaimedResourceIsValidatedWhenItsTypeRequiresAProfile() {
    String unclaimed = ValidationTest.removeMeta(ValidationTest.orderWithoutPriority(unique("unclaimed")));
    json().body(unclaimed).post("/ServiceRequest").then().statusCode(201); // the shared node requires nothing
    on(warn).header("Prefer", "return=OperationOutcome").body(unclaimed).post("/ServiceRequest").then().statusCode(201)
        .body("issue.findAll { it.severity == 'warning' }.diagnostics", hasItem(containsString("ServiceRequest.priority: minimum required = 1")));
  }

  @Test
  void baseSpecValidationOfUnclaimedResourcesIsOptIn() {
    // pat-1: a contact has details or an organization; this one has neither
    String patient = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + unique("Base")
        + "\"}],\"contact\":[{\"gender\":\"female\"}]}";
    json().header("Prefer", "return=OperationOutcome").body(patient).post("/Patient").then().statusCode(201)
        .body("issue.findAll { it.severity == 'warning' }.diagnostics", org.hamcrest.Matchers.not(hasItem(containsString("pat-1"))));
    on(warn).header("Prefer", "return=OperationOutcome").body(patient).post("/Patient").then().statusCode(201)
        .body("issue.findAll { it.severity == 'warning' }.diagnostics", hasItem(containsString("pat-1")));
  }
}
