package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.radbridge.server.hl7v2.MllpClient.msa1;

import ca.uhn.hl7v2.model.Message;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Orders are one per accession number and reports find their own centre's order: identical ORMs
 * arriving at once on twenty connections make one order and one patient; two centres using the
 * same accession value each get their own report.
 */
class OrderIdentityTest extends ServerTestBase {
  @Autowired
  MllpListener listener;

  @BeforeEach
  void ready() {
    awaitConformanceReady();
  }

  private static String orm(String app, String facility, String controlId, String pid3, String accession) {
    return String.join("\r",
        "MSH|^~\\&|" + app + "|" + facility + "|RADBRIDGE|NETWORK|20261120091200||ORM^O01|" + controlId
            + "|P|2.3.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + pid3 + "||Zhao^Lei||19700101|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^R|||||D0042^Wang^Li",
        // OBR-4 in LOINC: no ConceptMap needed, so centre-b's orders satisfy the profile too
        "OBR|1|PL-" + accession + "||30799-1^CT Head WO contrast^LN||||||||||||||" + accession);
  }

  private long count(String type, String system, String value) {
    List<Object> entries = json().queryParam("identifier", system + "|" + value).get("/" + type)
        .then().statusCode(200).extract().jsonPath().getList("entry");
    return entries == null ? 0 : entries.size();
  }

  @Autowired
  javax.sql.DataSource dataSource;

  @Test
  void twentyIdenticalOrdersAtOnceMakeOneOrderAndOnePatient() throws Exception {
    identicalOrdersAtOnce(java.util.List.of(listener.port()));
  }

  @Test
  void identicalOrdersOnTwoNodesMakeOneOrderAndOnePatient() throws Exception {
    try (var node2 = org.radbridge.server.TestServers.sharing(dataSource).withTestNetwork().start()) {
      identicalOrdersAtOnce(java.util.List.of(listener.port(), node2.getBean(MllpListener.class).port()));
    }
  }

  private void identicalOrdersAtOnce(java.util.List<Integer> ports) throws Exception {
    String n = V2Fixtures.suffix();
    int senders = 20;
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    List<MllpClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < senders; i++) {
        clients.add(new MllpClient(ports.get(i % ports.size())));
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Message>> acks = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        MllpClient c = clients.get(i);
        String controlId = "CC" + n + "-" + i; // the same order, sent as twenty messages
        acks.add(pool.submit(() -> {
          start.await();
          return c.send(orm("HIS_A", "CENTRE_A", controlId, "P" + n + "^^^CENTRE_A_MRN^MR", "C" + n));
        }));
      }
      start.countDown();
      for (Future<Message> f : acks) {
        Message ack = f.get();
        assertThat(msa1(ack)).as(ack.encode()).isEqualTo("AA");
      }
    } finally {
      for (MllpClient c : clients) {
        c.close();
      }
      pool.shutdown();
    }
    assertThat(count("ServiceRequest", "https://radbridge.org/fhir/sid/centre-a/accession", "C" + n)).isEqualTo(1);
    assertThat(count("Patient", "https://radbridge.org/fhir/sid/centre-a/mrn", "P" + n)).isEqualTo(1);
  }

  private static String oru(String controlId, String pid3, String placer, String accession, String text) {
    return String.join("\r",
        "MSH|^~\\&|RIS_CITY|CITY_HOSP|RADBRIDGE|NETWORK|20261120100500||ORU^R01|" + controlId
            + "|P|2.5.1|||||CHN|UNICODE UTF-8",
        "PID|1||" + pid3 + "||Zhao^Lei",
        "OBR|1|" + placer + "||30799-1^CT Head WO contrast^LN|||20261120094011|||||||||||" + accession
            + "||||20261120100500|||F|||||||R0007&Chen&Mei",
        "OBX|1|TX|REPORT^Report||" + text + "||||||F");
  }

  private JsonPath orderOf(String org, String accession) {
    JsonPath p = json().queryParam("identifier", "https://radbridge.org/fhir/sid/" + org + "/accession|" + accession)
        .get("/ServiceRequest").then().statusCode(200).extract().jsonPath();
    assertThat(p.getList("entry")).hasSize(1);
    return JsonPath.from(json().get("/ServiceRequest/" + p.getString("entry[0].resource.id")).asString());
  }

  /** An ImagingStudy of the order (a final report names its study). */
  private void studyOf(JsonPath order) {
    json().body("""
        {"resourceType":"ImagingStudy","status":"available","subject":{"reference":"%s"},
         "basedOn":[{"reference":"ServiceRequest/%s"}]}""".formatted(order.getString("subject.reference"),
        order.getString("id"))).post("/ImagingStudy").then().statusCode(201);
  }

  private List<String> reportTexts(String orderId) {
    return json().queryParam("based-on", "ServiceRequest/" + orderId).get("/DiagnosticReport").then().statusCode(200)
        .extract().jsonPath().getList("entry.resource.conclusion");
  }

  @Test
  void twoCentresWithTheSameAccessionEachGetTheirOwnReport() throws Exception {
    String n = V2Fixtures.suffix();
    String accession = "S" + n;
    try (MllpClient c = new MllpClient(listener.port())) {
      // both centres' orders go to City Hospital (routine CT: the default route)
      assertThat(msa1(c.send(orm("HIS_A", "CENTRE_A", "SA" + n, "QA" + n + "^^^CENTRE_A_MRN^MR", accession))))
          .isEqualTo("AA");
      assertThat(msa1(c.send(orm("HIS_B", "CENTRE_B", "SB" + n, "QB" + n, accession)))).isEqualTo("AA");
      JsonPath orderA = orderOf("centre-a", accession);
      JsonPath orderB = orderOf("centre-b", accession);
      assertThat(orderA.getString("id")).isNotEqualTo(orderB.getString("id"));
      studyOf(orderA);
      studyOf(orderB);

      // the RIS echoes the placer number with its namespace (as RadBridge's ORM sent it): centre-b's order
      Message forB = c.send(oru("RB" + n, "QB" + n, "PL-" + accession + "^HIS_B", accession, "Report for B"));
      assertThat(msa1(forB)).as(forB.encode()).isEqualTo("AA");
      // the patient identifier's assigning authority names centre-a: centre-a's order
      Message forA = c.send(oru("RA" + n, "QA" + n + "^^^CENTRE_A_MRN", "PL-" + accession, accession, "Report for A"));
      assertThat(msa1(forA)).as(forA.encode()).isEqualTo("AA");
      // neither: the accession matches orders of two centres routed to the sender, so nothing is guessed
      Message neither = c.send(oru("RN" + n, "QN" + n, "PL-" + accession, accession, "Report for whom?"));
      assertThat(msa1(neither)).isEqualTo("AE");
      assertThat(neither.encode()).contains("matches several orders");

      assertThat(reportTexts(orderA.getString("id"))).containsExactly("Report for A");
      assertThat(reportTexts(orderB.getString("id"))).containsExactly("Report for B");
    }
  }
}
