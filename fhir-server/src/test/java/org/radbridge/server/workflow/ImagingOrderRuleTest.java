package org.radbridge.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;

/**
 * The imaging workflow takes up imaging orders only: every ServiceRequest example of the R4
 * specification written by PUT reads back exactly as written (meta and the narrative aside),
 * except the one the documented rule makes an imaging order (a LOINC procedure of the network's
 * imaging list), which gains its accession number, DICOM identifiers, route and Task.
 */
class ImagingOrderRuleTest extends ServerTestBase {
  private static final Path EXAMPLES = Path.of("src", "test", "resources", "r4-examples");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Path> examples() throws Exception {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.getFileName().toString().startsWith("ServiceRequest-")).sorted().toList();
    }
  }

  private static JsonNode withoutMetaAndText(String json) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(json);
    node.remove("meta");
    node.remove("text");
    return node;
  }

  @Test
  void everyR4ExampleOutsideTheImagingRuleIsStoredExactlyAsSent() throws Exception {
    awaitConformanceReady();
    List<Path> files = examples();
    assertThat(files).hasSize(20);
    List<String> imaging = new ArrayList<>();
    for (Path file : files) {
      String sent = Files.readString(file);
      String id = JSON.readTree(sent).get("id").asText();
      int status = json().body(sent).put("/ServiceRequest/" + id).then().extract().statusCode();
      assertThat(status).as(file + " is written").isIn(200, 201);
      String back = json().get("/ServiceRequest/" + id).then().statusCode(200).extract().asString();
      if (withoutMetaAndText(back).equals(withoutMetaAndText(sent))) {
        assertThat(json().get("/Task/order-" + id).statusCode()).as("no Task for " + id).isEqualTo(404);
      } else {
        imaging.add(id);
      }
    }
    assertThat(imaging).as("only the chest CT is an imaging order of the network").containsExactly("di");

    JsonPath di = json().get("/ServiceRequest/di").jsonPath();
    assertThat(di.getString("identifier.find { it.type?.coding?.getAt(0)?.code == 'ACSN' }.value")).matches("RB\\d{8,}");
    assertThat(di.getString("identifier.find { it.system == 'urn:dicom:uid' }.value")).startsWith("urn:oid:2.25.");
    assertThat(di.getString("performerType.coding[0].code")).isEqualTo("CT");
    assertThat(di.getString("performer.find { it.reference.startsWith('Organization') }.reference"))
        .isEqualTo("Organization/org-city-hospital");
    assertThat(json().get("/Task/order-di").statusCode()).isEqualTo(200);
    // what the example said is still there, as sent
    assertThat(di.getString("code.coding[0].code")).isEqualTo("24627-2");
    assertThat(di.getString("intent")).isEqualTo("original-order");
  }
}
