package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestServers;
import org.radbridge.server.WriteTimeoutWitness;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bad input on the DICOM port, against a node of its own with short bounds (100 KB data sets, 4 s
 * read timeout, 2 s write timeout, 4 associations per peer, 6 in all), crafted with DCMTK
 * (dcmodify, storescu, echoscu) and raw sockets: an oversized data set, an association cut in the
 * middle of a data set, UIDs that would escape the DICOM directory, malformed and stalled PDUs,
 * too many associations, a peer that stops reading its answers. Each is answered with its status,
 * reject or abort, or cut within its bound; afterwards no association thread is left, no temp file
 * remains and echoscu is answered.
 */
class DicomHostileInputTest extends ServerTestBase {
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static ConfigurableApplicationContext node;
  private static Path dataDir;
  private static int dicom;
  private final List<Socket> opened = new ArrayList<>();

  @TempDir
  Path tmp;

  @BeforeAll
  static void hostileNode(@Autowired DataSource dataSource,
      @Autowired org.radbridge.server.readiness.ReadinessGate sharedReady) throws Exception {
    // the shared context's conformance start-up first: two at once in one JVM trip over HAPI's snapshots
    Await.until("the shared context ready", Duration.ofSeconds(120), sharedReady::isReady);
    dataDir = Files.createTempDirectory("radbridge-dicom-hostile-");
    // a temp file as a crashed server leaves it: removed at start
    Files.createDirectories(incoming());
    Files.write(incoming().resolve("in-left-by-a-crash.part"), new byte[1024]);
    node = TestServers.sharing(dataSource).withTestNetwork()
        .with("radbridge.data-dir", dataDir)
        .with("radbridge.dicom.listener.max-data-set-size", "100KB")
        .with("radbridge.dicom.listener.read-timeout", "4s")
        .with("radbridge.dicom.listener.write-timeout", "2s")
        .with("radbridge.dicom.listener.max-associations", "6")
        .with("radbridge.dicom.listener.max-associations-per-peer", "4")
        .start();
    dicom = node.getBean(DicomListener.class).port();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** After every case: no association thread or temp file left, and the listener answers C-ECHO. */
  @AfterEach
  void listenerUnharmed() throws Exception {
    for (Socket s : opened) {
      s.close();
    }
    Await.until("the DICOM listener's association threads gone", BOUND, () -> associationThreads() == 0);
    assertThat(parts()).as("temp files in " + incoming()).isEmpty();
    Run echo = dcmtk("echoscu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom));
    assertThat(echo.exit()).as(echo.output()).isZero();
    // the echo's own association holds its slot until it ends: the next case starts without it
    Await.until("the echo's association thread gone", BOUND, () -> associationThreads() == 0);
  }

  @Test
  void tempFilesLeftByAStoppedServerAreRemovedAtStart() {
    assertThat(incoming().resolve("in-left-by-a-crash.part")).doesNotExist();
  }

  @Test
  void anOversizedDataSetIsAnsweredOutOfResourcesWhileAGoodOneIsStored() throws Exception {
    Path big = TestDicomFiles.copyWithNewUids("waveform_ecg.dcm", tmp); // ~290 KB
    Path small = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp); // ~40 KB
    assertThat(storescu(big).output()).contains("Received Store Response (Refused: OutOfResources)");
    assertThat(storescu(small).output()).contains("Received Store Response (Success)");
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", TestDicomFiles.tag(big, "0008,0018")))
        .isZero();
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", TestDicomFiles.tag(small, "0008,0018")))
        .isEqualTo(1);
  }

  @Test
  void anAssociationCutInTheMiddleOfADataSetLeavesNoFile() throws Exception {
    Path ct = TestDicomFiles.copyWithNewUids("waveform_ecg.dcm", tmp); // ~290 KB, in 16 KB PDUs
    // the association request, the command and the first data PDUs pass (not past the 100 KB limit),
    // the rest is held, then the connection is cut
    try (CuttingProxy proxy = new CuttingProxy(dicom, 60_000)) {
      Process storescu = new ProcessBuilder("storescu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
          String.valueOf(proxy.port()), ct.toString()).redirectErrorStream(true).start();
      try {
        Await.until("the data set's temp file being written", BOUND, () -> !parts().isEmpty());
        proxy.cut();
        Await.until("the temp file removed as the association ends", BOUND, () -> parts().isEmpty());
        assertThat(storescu.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
      } finally {
        storescu.destroyForcibly();
      }
    }
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", TestDicomFiles.tag(ct, "0008,0018")))
        .isZero();
  }

  @Test
  void uidsThatCannotNameAFileAreRefusedAndNothingIsWrittenOutsideTheDicomDirectory() throws Exception {
    String[][] cases = {
        {"(0020,000d)=..", "(0020,000e)=.."}, {"(0020,000d)=1..2"}, {"(0020,000e)=.1.2"}, {"(0020,000e)=1.2."},
        {"(0020,000d)=1.2/3"}, {"(0020,000d)=1.2.3a"}, {"(0020,000e)=1." + "2".repeat(64)}};
    for (String[] modifications : cases) {
      Path bad = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, modifications);
      String sop = TestDicomFiles.tag(bad, "0008,0018");
      Run sent = storescu(bad);
      assertThat(sent.output()).as(String.join(" ", modifications)).contains("DataSetDoesNotMatchSOPClass");
      assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", sop)).isZero();
      // '..' as study and series would have put it next to the data directory
      assertThat(dataDir.getParent().resolve(sop + ".dcm")).doesNotExist();
      try (var found = Files.find(dataDir, 8, (p, a) -> p.getFileName().toString().startsWith(sop))) {
        assertThat(found.toList()).as("no file of " + String.join(" ", modifications)).isEmpty();
      }
    }
  }

  @Test
  void aUidWithALeadingZeroIsStoredAndItsStudyFlagged() throws Exception {
    String studyUid = "1.2.826.0.1.3680043.02." + System.nanoTime();
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0020,000d)=" + studyUid);
    Run sent = storescu(ct);
    assertThat(sent.output()).contains("Received Store Response (Success)");
    JsonPath[] study = new JsonPath[1];
    Await.until("the ImagingStudy of " + studyUid, BOUND, () -> {
      study[0] = RestAssured.given().port(TestServers.port(node)).accept("application/fhir+json")
          .queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy").jsonPath();
      return study[0].getList("entry") != null && study[0].getList("entry").size() == 1;
    });
    // flagged; (the network profile, which writes UIDs without leading zeros, also tags it profile-failed)
    assertThat(study[0].getList("entry[0].resource.meta.tag.code", String.class)).contains("nonconforming-uid");
  }

  @Test
  void malformedAndStalledPdusAreAbortedOrCut() throws Exception {
    // a PDU type that does not exist: A-ABORT, unrecognized PDU
    assertThat(abortReason(send(TestPdus.header(0x09, 4), new byte[4]))).isEqualTo(1);
    // an A-ASSOCIATE-RQ announcing 2 GB: A-ABORT, invalid PDU parameter, before anything is allocated
    assertThat(abortReason(send(TestPdus.header(0x01, 0x7ffffff0L)))).isEqualTo(6);
    // binary garbage: closed
    byte[] garbage = new byte[4096];
    new Random(20).nextBytes(garbage);
    garbage[0] = 0x55;
    assertThat(abortReason(send(garbage))).as("garbage: its first byte is no PDU type").isEqualTo(1);

    // inside an accepted association
    assertThat(abortReason(associated(TestPdus.header(0x04, 0x7ffffff0L)))).as("a 2 GB P-DATA").isEqualTo(6);
    assertThat(abortReason(associated(TestPdus.header(0x04, 20_000), new byte[64]))).as("P-DATA over 16 KB").isEqualTo(6);
    assertThat(abortReason(associated(TestPdus.header(0x0a, 4), new byte[4]))).as("PDU type 0x0a").isEqualTo(1);
    byte[] badPdv = TestPdus.pdu(0x04, new byte[] {0, 0, 0, 1, 1}); // a PDV of length 1
    assertThat(associated(badPdv)).as("answered or closed, never hung").isNotNull();

    // a PDU that stops arriving: cut at the read timeout (4 s), not waited on; others are served meanwhile
    Socket stalled = accepted(InetAddress.getLoopbackAddress());
    long start = System.nanoTime();
    stalled.getOutputStream().write(TestPdus.header(0x04, 200));
    stalled.getOutputStream().write(new byte[10]);
    Run echo = dcmtk("echoscu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom));
    assertThat(echo.exit()).as("C-ECHO while a PDU is stalled: " + echo.output()).isZero();
    assertThat(untilClosed(stalled)).isNotNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  @Test
  void aPeerThatStopsReadingItsAnswersIsClosedAtTheWriteTimeout() throws Exception {
    // a receive buffer as small as the system allows: the server's send buffer (MBs on loopback) fills with answers
    Socket s = new Socket();
    s.setReceiveBufferSize(1024);
    s.setSendBufferSize(8 * 1024); // what the server does not read waits on our side, not in MBs of buffer
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), dicom));
    s.setSoTimeout((int) BOUND.toMillis());
    opened.add(s);
    s.getOutputStream().write(TestPdus.associateRq("CT_A", "RADBRIDGE"));
    assertThat(TestPdus.read(s.getInputStream())[0]).as("A-ASSOCIATE-AC").isEqualTo((byte) 0x02);
    // C-ECHO-RQs without end, their answers never read: once its buffer is full the server blocks writing one
    java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
    for (int i = 1; i <= 10; i++) {
      batch.write(TestPdus.echoRq(i));
    }
    String peer = "DICOM association from /127.0.0.1:" + s.getLocalPort();
    WriteTimeoutWitness.Cut cut = WriteTimeoutWitness.flood(s, batch.toByteArray(), peer, () -> {
      // others are served meanwhile
      Run echo = dcmtk("echoscu", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom));
      assertThat(echo.exit()).as("C-ECHO while an association is stuck: " + echo.output()).isZero();
    }, Duration.ofSeconds(30));
    assertThat(cut.line()).isEqualTo(peer + " closed: a write made no progress for 2 s (the peer stopped reading)");
    // never before the 2 s write timeout; within the timeout and a margin of the server's last read
    assertThat(cut.afterStart()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(cut.afterLastRead()).isLessThan(Duration.ofSeconds(5));
    assertThat(cut.sendFailure()).as("our writes fail: the server closed the connection").isNotNull();
    DicomListener listener = node.getBean(DicomListener.class);
    Await.until("the association's slot given back", BOUND, () -> listener.openAssociations() == 0);
    Await.until("the association's thread gone", BOUND, () -> associationThreads() == 0);
  }

  @Test
  void associationsBeyondThePeerAndTotalLimitsAreRejectedTransient() throws Exception {
    InetAddress one = InetAddress.getLoopbackAddress();
    InetAddress other = InetAddress.getByName("127.0.0.2");
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(accepted(one));
    }
    assertThat(rejectReason(one)).as("a fifth from the same address").isEqualTo(2);
    Run fifth = dcmtk("echoscu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom));
    assertThat(fifth.exit()).isNotZero();
    assertThat(fifth.output().toLowerCase()).contains("association rejected").contains("local limit exceeded");
    held.add(accepted(other, "US_B")); // CT_A's address is its host's, 127.0.0.1; US_B's range holds 127.0.0.2
    held.add(accepted(other, "US_B"));
    assertThat(rejectReason(other)).as("a seventh in all").isEqualTo(2);
    assertThat(associationThreads()).isEqualTo(6);
    for (Socket s : held) {
      // still served: C-ECHO-RQ answered on each held association
      s.getOutputStream().write(TestPdus.echoRq(7));
      assertThat(TestPdus.successStatus(TestPdus.read(s.getInputStream()))).as("C-ECHO-RSP Success").isTrue();
    }
  }

  @Test
  void aeTitlesPaddedWithNulsAreStrippedNotRefused() throws Exception {
    Socket s = connect(InetAddress.getLoopbackAddress());
    s.getOutputStream().write(TestPdus.associateRq("CT_A", "RADBRIDGE", '\0'));
    byte[] ac = TestPdus.read(s.getInputStream());
    assertThat(ac).isNotNull();
    assertThat(ac[0]).as("A-ASSOCIATE-AC for CT_A, a node of the network").isEqualTo((byte) 0x02);
    s.getOutputStream().write(TestPdus.echoRq(3));
    assertThat(TestPdus.successStatus(TestPdus.read(s.getInputStream()))).as("C-ECHO-RSP Success").isTrue();
  }

  @Test
  void anAeTitleOfTheNetworkFromAnotherAddressIsRejectedLikeAnUnknownOne() throws Exception {
    // CT_A's source address is its host's, 127.0.0.1: from 127.0.0.2 the AE title is not recognised
    byte[] rj = permanentRejection(InetAddress.getByName("127.0.0.2"), "CT_A");
    assertThat(rj).as("the same answer as an unknown AE title's")
        .isEqualTo(permanentRejection(InetAddress.getLoopbackAddress(), "STRANGER"));
    // the same AE title from its own address, by DCMTK
    Run echo = dcmtk("echoscu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(dicom));
    assertThat(echo.exit()).as(echo.output()).isZero();
    // a node whose addresses are given (US_B: 127.0.0.0/30) is recognised from any of them
    Socket s = accepted(InetAddress.getByName("127.0.0.2"), "US_B");
    s.getOutputStream().write(TestPdus.echoRq(5));
    assertThat(TestPdus.successStatus(TestPdus.read(s.getInputStream()))).as("C-ECHO-RSP Success").isTrue();
  }

  @Test
  void anAddressAnAdministratorAddsToTheEndpointThroughRestIsRecognisedAtOnce() throws Exception {
    InetAddress other = InetAddress.getByName("127.0.0.2");
    String id = "/Endpoint/dicom-CT-A";
    String original = json().get(id).then().statusCode(200).extract().asString();
    String sourceAddress = "https://radbridge.org/fhir/StructureDefinition/source-address";
    try {
      // not an address: refused when written, naming it
      json().body(withSourceAddresses(original, sourceAddress, "ct-a.example")).put(id).then().statusCode(422)
          .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("'ct-a.example' is not an IP address"));
      permanentRejection(other, "CT_A");
      // given addresses replace the host's: both are listed; this node reads the edit from the directory
      json().body(withSourceAddresses(original, sourceAddress, "127.0.0.1", "127.0.0.2")).put(id).then().statusCode(200)
          .body("extension.valueString", org.hamcrest.Matchers.contains("127.0.0.1", "127.0.0.2"));
      Socket s = accepted(other, "CT_A");
      s.getOutputStream().write(TestPdus.echoRq(9));
      assertThat(TestPdus.successStatus(TestPdus.read(s.getInputStream()))).as("C-ECHO-RSP Success").isTrue();
      // and taken back
      json().body(withSourceAddresses(original, sourceAddress, "127.0.0.1")).put(id).then().statusCode(200);
      permanentRejection(other, "CT_A");
    } finally {
      json().body(original).put(id).then().statusCode(200); // as other tests expect it
    }
  }

  @Test
  void aCertificateAnAdministratorNamesOnTheEndpointIsRequiredAtOnce() throws Exception {
    String id = "/Endpoint/dicom-CT-A";
    String original = json().get(id).then().statusCode(200).extract().asString();
    String peerCertificate = "https://radbridge.org/fhir/StructureDefinition/peer-certificate";
    try {
      // neither a subject nor a fingerprint: refused when written, naming it
      json().body(withSourceAddresses(original, peerCertificate, "ct-a certificate")).put(id).then().statusCode(422)
          .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("'ct-a certificate' is neither"));
      // named: an association without TLS (no certificate) from CT_A's own address is refused
      json().body(withSourceAddresses(original, peerCertificate, "CN=CT_A,O=Centre A")).put(id).then().statusCode(200);
      permanentRejection(InetAddress.getLoopbackAddress(), "CT_A");
    } finally {
      json().body(original).put(id).then().statusCode(200); // as other tests expect it
    }
    accepted(InetAddress.getLoopbackAddress(), "CT_A").close();
  }

  private static String withSourceAddresses(String endpoint, String url, String... addresses) {
    StringBuilder ext = new StringBuilder("\"extension\":[");
    for (int i = 0; i < addresses.length; i++) {
      ext.append(i == 0 ? "" : ",").append("{\"url\":\"").append(url).append("\",\"valueString\":\"")
          .append(addresses[i]).append("\"}");
    }
    return endpoint.replaceFirst("\"resourceType\":\"Endpoint\",", "\"resourceType\":\"Endpoint\"," + ext + "],");
  }

  /** The A-ASSOCIATE-RJ an RQ of {@code callingAe} from {@code from} gets: rejected-permanent, service-user, calling AE title not recognized. */
  private byte[] permanentRejection(InetAddress from, String callingAe) throws IOException {
    Socket s = connect(from);
    s.getOutputStream().write(TestPdus.associateRq(callingAe, "RADBRIDGE"));
    byte[] rj = TestPdus.read(s.getInputStream());
    assertThat(rj).as("an answer to the A-ASSOCIATE-RQ").isNotNull();
    assertThat(rj[0]).as("A-ASSOCIATE-RJ").isEqualTo((byte) 0x03);
    assertThat(rj[7]).as("rejected-permanent").isEqualTo((byte) 1);
    assertThat(rj[8]).as("service-user").isEqualTo((byte) 1);
    assertThat(rj[9]).as("calling AE title not recognized").isEqualTo((byte) 3);
    return rj;
  }

  /** An association of CT_A, accepted (A-ASSOCIATE-AC read), from {@code from}. */
  private Socket accepted(InetAddress from) throws IOException {
    return accepted(from, "CT_A");
  }

  /** An association of {@code callingAe}, accepted (A-ASSOCIATE-AC read), from {@code from}. */
  private Socket accepted(InetAddress from, String callingAe) throws IOException {
    Socket s = connect(from);
    s.getOutputStream().write(TestPdus.associateRq(callingAe, "RADBRIDGE"));
    byte[] ac = TestPdus.read(s.getInputStream());
    assertThat(ac).as("an answer to the A-ASSOCIATE-RQ").isNotNull();
    assertThat(ac[0]).as("A-ASSOCIATE-AC").isEqualTo((byte) 0x02);
    return s;
  }

  /** The reason of the A-ASSOCIATE-RJ rejected-transient, service-provider (presentation), an RQ from {@code from} gets. */
  private int rejectReason(InetAddress from) throws IOException {
    Socket s = connect(from);
    s.getOutputStream().write(TestPdus.associateRq("CT_A", "RADBRIDGE"));
    byte[] rj = TestPdus.read(s.getInputStream());
    assertThat(rj).as("an answer to the A-ASSOCIATE-RQ").isNotNull();
    assertThat(rj[0]).as("A-ASSOCIATE-RJ").isEqualTo((byte) 0x03);
    assertThat(rj[7]).as("rejected-transient").isEqualTo((byte) 2);
    assertThat(rj[8]).as("service-provider (presentation)").isEqualTo((byte) 3);
    return rj[9];
  }

  /** What the server sends after {@code pdus}, sent after an accepted association's A-ASSOCIATE-AC, until it closes. */
  private byte[] associated(byte[]... pdus) throws IOException {
    Socket s = accepted(InetAddress.getLoopbackAddress());
    return untilClosed(s, pdus);
  }

  /** What the server sends after {@code pdus}, sent on a new connection, until it closes. */
  private byte[] send(byte[]... pdus) throws IOException {
    return untilClosed(connect(InetAddress.getLoopbackAddress()), pdus);
  }

  private static byte[] untilClosed(Socket s, byte[]... pdus) throws IOException {
    try {
      for (byte[] p : pdus) {
        s.getOutputStream().write(p);
      }
      s.getOutputStream().flush();
    } catch (IOException closedMidway) {
      // the server already gave up on it
    }
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException open) {
      throw new AssertionError("the server did not close the connection within " + BOUND);
    } catch (java.net.SocketException reset) {
      // closed by the server
    }
    return got.toByteArray();
  }

  /** The reason of the A-ABORT (service-provider) the server sent, or -1 when it sent none. */
  private static int abortReason(byte[] received) {
    for (int i = 0; i + 10 <= received.length; i++) {
      if (received[i] == 0x07 && received[i + 5] == 4 && received[i + 8] == 2) {
        return received[i + 9];
      }
    }
    return -1;
  }

  private Socket connect(InetAddress from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), dicom));
    s.setSoTimeout((int) BOUND.toMillis());
    opened.add(s);
    return s;
  }

  record Run(int exit, String output) {}

  private Run storescu(Path... files) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-aet", "CT_A", "-aec", "RADBRIDGE", "127.0.0.1",
        String.valueOf(dicom)));
    for (Path f : files) {
      cmd.add(f.toString());
    }
    return dcmtk(cmd.toArray(String[]::new));
  }

  private static Run dcmtk(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  private static Path incoming() {
    return dataDir.resolve("dicom").resolve("incoming");
  }

  private static List<Path> parts() {
    if (!Files.isDirectory(incoming())) {
      return List.of();
    }
    try (var files = Files.list(incoming())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Threads of the node's association pool ({@code dicom-<port>-association-<n>}). */
  private static long associationThreads() {
    String prefix = "dicom-" + dicom + "-association-";
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.startsWith(prefix)).count();
  }
}
