package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.RestAssured;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestServers;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Below the free-space floor nothing is stored and health is DOWN: a node of its own (settings are
 * fixed at start) on the test database, with a floor no disk meets.
 */
class FullDiskTest extends ServerTestBase {
  private static ConfigurableApplicationContext full;

  @TempDir
  Path tmp;

  @BeforeAll
  static void fullNode(@Autowired DataSource dataSource) throws Exception {
    Path dir = Files.createTempDirectory("radbridge-full-");
    full = TestServers.sharing(dataSource).withTestNetwork().with("radbridge.dicom.min-free-space", "1000TB")
        .with("radbridge.data-dir", dir).start();
  }

  @AfterAll
  static void stop() {
    full.close();
  }

  @Test
  void aFullDiskAnswersOutOfResourcesStoresNothingAndHealthIsDown() throws Exception {
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    String sop = TestDicomFiles.tag(ct, "0008,0018");
    Process p = new ProcessBuilder("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(full.getBean(DicomListener.class).port()), ct.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    assertThat(out).contains("Refused: OutOfResources");
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", sop)).isZero();

    // the storage itself, past the network layer: the same status, no file left behind
    DicomStorage storage = full.getBean(DicomStorage.class);
    TestDicomFiles.Dataset d = TestDicomFiles.dataset(ct);
    assertThat(storage.store("CT_A", "centre-a", TestDicomFiles.tag(ct, "0008,0016"), sop, d.transferSyntax(), d.bytes()).code())
        .isEqualTo(StoreStatus.OUT_OF_RESOURCES);
    assertThat(Files.exists(storage.files().pathOf(TestDicomFiles.tag(ct, "0020,000d"), TestDicomFiles.tag(ct, "0020,000e"),
        sop))).isFalse();

    RestAssured.given().port(TestServers.port(full)).basePath("").get("/actuator/health").then().statusCode(503)
        .body("components.dicomStorage.status", equalTo("DOWN"));
  }
}
