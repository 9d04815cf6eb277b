package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Messages whose header cannot be read, as broken senders make them (fixtures under
 * src/test/resources/hl7v2/broken): the component separator where MSH's field separator belongs,
 * a header cut off after MSH-4, no message type, a PID segment with no MSH. Each is answered AR
 * within a second on the connection it came on, naming the problem, and the next good order on
 * that same connection is taken (AA). A frame that is not HL7 at all closes its connection.
 */
class BrokenHeaderTest extends ServerTestBase {
  private static final Duration PROMPTLY = Duration.ofSeconds(1);

  @Autowired
  MllpListener listener;
  private final HapiContext hapi = new DefaultHapiContext();
  private MllpSocket connection;

  @BeforeEach
  void connect() throws IOException {
    awaitConformanceReady();
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.getParserConfiguration().setValidating(false);
    connection = new MllpSocket(listener.port(), Duration.ofSeconds(10));
  }

  @AfterEach
  void close() throws IOException {
    connection.close();
  }

  @Test
  void theWrongFieldSeparatorIsArWithoutAControlIdAndTheConnectionGoesOn() throws Exception {
    Terser ack = refused("msh-wrong-separator.hl7");
    assertThat(ack.get("/MSA-2")).isNull(); // MSH-10 cannot be found without the field separator
    assertThat(ack.get("/MSH-5")).isNull();
    assertThat(ack.get("/MSH-3")).as("RadBridge names itself").isEqualTo("RADBRIDGE");
    assertThat(ack.get("/ERR-2-1") + "^" + ack.get("/ERR-2-2") + "^" + ack.get("/ERR-2-3")).isEqualTo("MSH^1^1");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("102");
    assertThat(ack.get("/ERR-3-9")).contains("'^'").contains("the other segments separate fields with '|'");
    goodOrderIsTaken();
  }

  @Test
  void aHeaderCutOffAfterMsh4IsArToItsSenderWithoutAControlId() throws Exception {
    Terser ack = refused("msh-truncated.hl7");
    assertThat(ack.get("/MSA-2")).isNull();
    assertThat(ack.get("/MSH-5")).isEqualTo("HIS_A");
    assertThat(ack.get("/MSH-6")).isEqualTo("CENTRE_A");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("9");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("101");
    assertThat(ack.get("/ERR-3-9")).contains("MSH ends after MSH-4").contains("MSH-9 (message type)")
        .contains("MSH-10 (message control id)");
    goodOrderIsTaken();
  }

  @Test
  void aMissingMessageTypeIsArNamingMsh9WithTheControlId() throws Exception {
    Terser ack = refused("msh-missing-type.hl7");
    assertThat(ack.get("/MSA-2")).isEqualTo("HISA-NO-TYPE");
    assertThat(ack.get("/MSH-5")).isEqualTo("HIS_A");
    assertThat(ack.get("/MSH-6")).isEqualTo("CENTRE_A");
    assertThat(ack.get("/ERR-2-1") + "^" + ack.get("/ERR-2-2") + "^" + ack.get("/ERR-2-3")).isEqualTo("MSH^1^9");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("101");
    assertThat(ack.get("/ERR-3-9")).contains("MSH-9 (message type) is missing");
    goodOrderIsTaken();
  }

  @Test
  void aMessageWithoutMshIsArNamingTheSegmentItBeginsWith() throws Exception {
    Terser ack = refused("pid-only.hl7");
    assertThat(ack.get("/MSA-2")).isNull();
    assertThat(ack.get("/ERR-2-1")).isEqualTo("PID");
    assertThat(ack.get("/ERR-3-1")).isEqualTo("100");
    assertThat(ack.get("/ERR-3-9")).contains("does not begin with an MSH segment");
    goodOrderIsTaken();
  }

  @Test
  void aFrameThatIsNotHl7ClosesItsConnectionAndOthersGoOn() throws Exception {
    long start = System.nanoTime();
    assertThat(connection.send("hello, is this the HL7 port?")).as("the connection is closed, nothing answered").isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
    connection.close();
    connection = new MllpSocket(listener.port(), Duration.ofSeconds(10));
    goodOrderIsTaken();
  }

  /** Sends the fixture on the test's connection: AR within a second, nothing stored. */
  private Terser refused(String fixture) throws Exception {
    String accession = "BR" + V2Fixtures.suffix();
    String text = V2Fixtures.with(fixture(fixture), Map.of("ACC-BROKEN", accession));
    long start = System.nanoTime();
    String answer = connection.send(text);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(answer).as("an answer on the same connection").isNotNull();
    assertThat(took).as("answered within a second").isLessThan(PROMPTLY);
    Terser ack = new Terser(hapi.getPipeParser().parse(answer));
    assertThat(ack.get("/MSA-1")).as(answer).isEqualTo("AR");
    assertThat(ack.get("/MSH-9-1")).isEqualTo("ACK");
    assertThat(answer).doesNotContain("Exception").doesNotContain("java.");
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().statusCode(200).body("entry", org.hamcrest.Matchers.nullValue());
    return ack;
  }

  /** A good ORM on the same connection afterwards is taken: AA, and the order is there. */
  private void goodOrderIsTaken() throws Exception {
    String accession = "GD" + V2Fixtures.suffix();
    String orm = String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261204091000||ORM^O01|C" + accession + "|P|2.3.1",
        "PID|1||M" + accession + "^^^CENTRE_A_MRN^MR||Zhang^Wei||19610417|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|PL-" + accession + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession) + "\r";
    String answer = connection.send(orm);
    assertThat(answer).as("the connection still answers").isNotNull();
    Terser ack = new Terser(hapi.getPipeParser().parse(answer));
    assertThat(ack.get("/MSA-1")).as(answer).isEqualTo("AA");
    assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().statusCode(200).body("entry.size()", org.hamcrest.Matchers.equalTo(1));
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = BrokenHeaderTest.class.getResourceAsStream("/hl7v2/broken/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
