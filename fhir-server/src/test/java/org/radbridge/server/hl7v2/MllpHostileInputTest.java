package org.radbridge.server.hl7v2;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;
import org.radbridge.server.ServerTestBase;
import org.radbridge.server.TestServers;
import org.radbridge.server.WriteTimeoutWitness;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bad input on the MLLP port, against a node of its own with short bounds (64 KiB frames, 2 s per
 * frame, 3 s idle, 2 s per write, 4 connections per peer, 6 in all): a frame that never ends, a 10
 * MB frame, a sender trickling a byte at a time, binary garbage in and outside a frame, bytes that
 * are not the charset MSH-18 declares, NUL padding, too many connections, a sender that does not
 * read its ACKs. Each is answered (AR naming the problem) or cut within its bound; afterwards no
 * connection thread of the listener is left and a good order on a new connection is taken (AA).
 */
class MllpHostileInputTest extends ServerTestBase {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static ConfigurableApplicationContext node;
  private static int mllp;
  private final HapiContext hapi = new DefaultHapiContext();
  private final List<Socket> opened = new ArrayList<>();

  @BeforeAll
  static void hostileNode(@Autowired DataSource dataSource,
      @Autowired org.radbridge.server.readiness.ReadinessGate sharedReady) throws Exception {
    // the shared context's conformance start-up first: two at once in one JVM trip over HAPI's snapshots
    Await.until("the shared context ready", Duration.ofSeconds(120), sharedReady::isReady);
    node = TestServers.sharing(dataSource).withTestNetwork()
        .with("radbridge.data-dir", Files.createTempDirectory("radbridge-mllp-hostile-"))
        .with("radbridge.hl7v2.listener.max-frame-size", "64KB")
        .with("radbridge.hl7v2.listener.frame-timeout", "2s")
        .with("radbridge.hl7v2.listener.idle-timeout", "3s")
        .with("radbridge.hl7v2.listener.write-timeout", "2s")
        .with("radbridge.hl7v2.listener.max-connections", "6")
        .with("radbridge.hl7v2.listener.max-connections-per-peer", "4")
        .start();
    mllp = node.getBean(MllpListener.class).port();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** After every case: no connection thread left, and the listener takes a good order. */
  @AfterEach
  void listenerUnharmed() throws Exception {
    for (Socket s : opened) {
      s.close();
    }
    Await.until("the MLLP listener's connection threads gone", BOUND, () -> connectionThreads() == 0);
    goodOrderIsTaken();
  }

  @Test
  void aFrameThatNeverEndsIsCutAtTheFrameTimeout() throws Exception {
    Socket s = connect(InetAddress.getLoopbackAddress());
    s.getOutputStream().write(0x0b);
    s.getOutputStream().write(order("NE" + V2Fixtures.suffix()).getBytes(StandardCharsets.UTF_8)); // no <FS><CR>
    s.getOutputStream().flush();
    long start = System.nanoTime();
    goodOrderIsTaken(); // while the unfinished frame waits
    assertThat(readAll(s)).as("nothing answered: the frame is incomplete").isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed at the 2 s frame timeout")
        .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
  }

  @Test
  void anApplicationOfTheNetworkSendingFromAnotherAddressIsRefusedArAndNothingIsStored() throws Exception {
    // HIS_A's source address is its outbound host, 127.0.0.1; 127.0.0.2 is not it
    String accession = "ADR" + V2Fixtures.suffix();
    Socket s = connect(InetAddress.getByName("127.0.0.2"));
    s.getOutputStream().write(TestMllpReceiver.frame(order(accession).getBytes(StandardCharsets.UTF_8)));
    s.getOutputStream().flush();
    String answer = MllpSocket.answer(s.getInputStream());
    Terser ack = terser(answer);
    assertThat(ack.get("/MSA-1")).isEqualTo("AR");
    assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
    assertThat(ack.get("/ERR-2-1")).isEqualTo("MSH");
    assertThat(ack.get("/ERR-2-3")).isEqualTo("3");
    assertThat(ack.get("/ERR-3-9")).contains("HIS_A^CENTRE_A").contains("not one that sends from 127.0.0.2")
        .contains("nothing was stored");
    assertThat(answer).as("no patient data in the answer").doesNotContain("Zhang").doesNotContain("M" + accession)
        .doesNotContain("PID");
    assertThat(count("SELECT count(*) FROM hl7_message WHERE control_id = ?", "C" + accession)).isZero();
    json().queryParam("identifier", "https://radbridge.org/fhir/sid/centre-a/accession|" + accession)
        .get("/ServiceRequest").then().statusCode(200).body("entry", org.hamcrest.Matchers.nullValue());
    // the same message from the application's own address is taken
    try (MllpSocket own = new MllpSocket(mllp, BOUND)) {
      Terser accepted = terser(own.send(order(accession)));
      assertThat(accepted.get("/MSA-1")).isEqualTo("AA");
      assertThat(accepted.get("/MSA-2")).isEqualTo("C" + accession);
    }
    assertThat(count("SELECT count(*) FROM hl7_message WHERE control_id = ?", "C" + accession)).isOne();
  }

  @Test
  void aTenMegabyteFrameIsAnsweredArAndTheConnectionGoesOn() throws Exception {
    String accession = "BIG" + V2Fixtures.suffix();
    StringBuilder big = new StringBuilder(order(accession));
    String note = "NTE|1||" + "x".repeat(1000) + "\r";
    while (big.length() < 10_000_000) {
      big.append(note);
    }
    try (MllpSocket connection = new MllpSocket(mllp, BOUND)) {
      Terser ack = terser(connection.send(big.toString()));
      assertThat(ack.get("/MSA-1")).isEqualTo("AR");
      assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
      assertThat(ack.get("/ERR-3-9")).contains("bytes long").contains("at most 65536 bytes").contains("nothing was stored");
      // the same connection takes the next message
      String next = "NX" + V2Fixtures.suffix();
      assertThat(terser(connection.send(order(next))).get("/MSA-1")).isEqualTo("AA");
    }
    assertThat(count("SELECT count(*) FROM hl7_message WHERE control_id = ?", "C" + accession)).isZero();
  }

  @Test
  void aSenderTricklingAByteAtATimeIsCutAtTheFrameTimeout() throws Exception {
    Socket s = connect(InetAddress.getLoopbackAddress());
    OutputStream out = s.getOutputStream();
    out.write(0x0b);
    out.flush();
    byte[] message = order("SL" + V2Fixtures.suffix()).getBytes(StandardCharsets.UTF_8);
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    int[] next = {0};
    trickle.scheduleAtFixedRate(() -> {
      try {
        out.write(message[next[0]++ % message.length]); // always more, never the end
        out.flush();
      } catch (IOException closed) {
        throw new IllegalStateException(closed); // ends the schedule
      }
    }, 0, 100, TimeUnit.MILLISECONDS);
    try {
      long start = System.nanoTime();
      goodOrderIsTaken(); // while the trickle goes on
      assertThat(readAll(s)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed at the frame timeout though bytes keep coming")
          .isLessThan(Duration.ofSeconds(6));
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void binaryGarbageOutsideOrInsideAFrameClosesTheConnection() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new Random(20).nextBytes(garbage);
    garbage[0] = (byte) 0xff; // not <VT>, not whitespace
    Socket outside = connect(InetAddress.getLoopbackAddress());
    writeQuietly(outside, garbage);
    assertThat(readAll(outside)).as("closed, nothing answered").isEmpty();

    Socket inside = connect(InetAddress.getLoopbackAddress());
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x0b);
    for (byte b : garbage) {
      frame.write(b == 0x1c ? 0x20 : b);
    }
    frame.write(new byte[] {0x1c, 0x0d});
    writeQuietly(inside, frame.toByteArray());
    assertThat(readAll(inside)).as("closed, nothing answered").isEmpty();
  }

  @Test
  void bytesThatAreNotTheDeclaredCharsetAreAnsweredArNamingMsh18() throws Exception {
    String accession = "ENC" + V2Fixtures.suffix();
    // MSH-18 says UTF-8, the patient's name is written in GB18030 (invalid as UTF-8)
    String orm = order(accession).replace("|2.3.1\r", "|2.3.1||||||UNICODE UTF-8\r").replace("Zhang^Wei", "张^伟");
    Charset gb = Charset.forName("GB18030");
    try (MllpSocket connection = new MllpSocket(mllp, BOUND)) {
      Terser ack = terser(connection.sendBytes(orm.getBytes(gb)));
      assertThat(ack.get("/MSA-1")).isEqualTo("AR");
      assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
      assertThat(ack.get("/ERR-2-1")).isEqualTo("MSH");
      assertThat(ack.get("/ERR-2-3")).isEqualTo("18");
      assertThat(ack.get("/ERR-3-9")).contains("are not valid UTF-8 (MSH-18 'UNICODE UTF-8')");
    }
    assertThat(count("SELECT count(*) FROM hl7_message WHERE control_id = ?", "C" + accession)).isZero();
  }

  @Test
  void nulsPaddingAFrameAreDroppedNotRefused() throws Exception {
    String accession = "NUL" + V2Fixtures.suffix();
    ByteArrayOutputStream padded = new ByteArrayOutputStream();
    padded.write(new byte[] {0, 0, 0x0b});
    padded.write(order(accession).getBytes(StandardCharsets.UTF_8));
    padded.write(new byte[] {0, 0, 0, 0x1c, 0x0d, 0, 0});
    Socket s = connect(InetAddress.getLoopbackAddress());
    s.getOutputStream().write(padded.toByteArray());
    s.getOutputStream().flush();
    Terser ack = terser(MllpSocket.answer(s.getInputStream()));
    assertThat(ack.get("/MSA-1")).isEqualTo("AA");
    assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
  }

  @Test
  void connectionsBeyondThePeerAndTotalLimitsAreClosedAtOnceAndAnIdleOneAtTheIdleTimeout() throws Exception {
    InetAddress one = InetAddress.getLoopbackAddress();
    InetAddress other = InetAddress.getByName("127.0.0.2");
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(connect(one));
    }
    Await.until("four connection threads", BOUND, () -> connectionThreads() == 4);
    assertThat(readAll(connect(one))).as("a fifth from the same address is closed at once").isEmpty();
    held.add(connect(other));
    held.add(connect(other));
    Await.until("six connection threads", BOUND, () -> connectionThreads() == 6);
    assertThat(readAll(connect(other))).as("a seventh in all is closed at once").isEmpty();
    assertThat(connectionThreads()).isEqualTo(6);

    // idle: each held connection is closed by the server after 3 s without a message
    long start = System.nanoTime();
    for (Socket s : held) {
      assertThat(readAll(s)).isEmpty();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aSenderThatDoesNotReadItsAcksIsClosedAtTheWriteTimeout() throws Exception {
    // a message type nobody handles, answered AR (quietly, by HAPI's default application); its
    // header's fields as long as HAPI takes them (under 200 characters) come back in the ACK, so
    // each ACK is over 1 KB and the server's send buffer (MBs on loopback) fills after some
    // thousand of them
    String hd = String.join("^", "A".repeat(190), "B".repeat(190), "C".repeat(190));
    String unhandled = String.join("\r", "MSH|^~\\&|" + hd + "|" + hd + "|" + hd + "|" + hd + "|20261204091000||"
        + "ADT^A01|CWR" + V2Fixtures.suffix() + "-" + "D".repeat(180) + "|P|2.5.1",
        "PID|1||MWR^^^CENTRE_A_MRN^MR||Doe^John||19610417|M") + "\r";
    try (MllpSocket connection = new MllpSocket(mllp, BOUND)) {
      String ack = connection.send(unhandled);
      assertThat(terser(ack).get("/MSA-1")).isEqualTo("AR");
      assertThat(ack.length()).as("the ACK's size").isGreaterThan(1000);
    }
    Socket s = new Socket();
    s.setReceiveBufferSize(1024); // as small as the system allows
    s.setSendBufferSize(8 * 1024); // what the server does not read waits on our side, not in MBs of buffer
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), mllp));
    s.setSoTimeout((int) BOUND.toMillis());
    opened.add(s);
    String peer = "MLLP connection from 127.0.0.1:" + s.getLocalPort();
    WriteTimeoutWitness.Cut cut = WriteTimeoutWitness.flood(s, TestMllpReceiver.frame(unhandled.getBytes(StandardCharsets.UTF_8)),
        peer, this::goodOrderIsTaken, Duration.ofSeconds(30)); // others are served meanwhile
    assertThat(cut.line()).isEqualTo(peer + " closed: a write made no progress for 2 s (the peer stopped reading)");
    // never before the 2 s write timeout; within the timeout and a margin of the server's last read
    assertThat(cut.afterStart()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(cut.afterLastRead()).isLessThan(Duration.ofSeconds(5));
    assertThat(cut.sendFailure()).as("our writes fail: the server closed the connection").isNotNull();
    MllpListener listener = node.getBean(MllpListener.class);
    Await.until("the connection's slot given back", BOUND, () -> listener.openConnections() == 0);
    Await.until("the connection's thread gone", BOUND, () -> connectionThreads() == 0);
  }

  private void goodOrderIsTaken() throws Exception {
    String accession = "OK" + V2Fixtures.suffix();
    try (MllpSocket connection = new MllpSocket(mllp, BOUND)) {
      Terser ack = terser(connection.send(order(accession)));
      assertThat(ack.get("/MSA-1")).as("a good order after the bad input").isEqualTo("AA");
      assertThat(ack.get("/MSA-2")).isEqualTo("C" + accession);
    }
  }

  private static String order(String accession) {
    return String.join("\r",
        "MSH|^~\\&|HIS_A|CENTRE_A|RADBRIDGE|NETWORK|20261204091000||ORM^O01|C" + accession + "|P|2.3.1",
        "PID|1||M" + accession + "^^^CENTRE_A_MRN^MR||Zhang^Wei||19610417|M",
        "ORC|NW|PL-" + accession + "|||||^^^^^R|||||D0042^Wang^Li",
        "OBR|1|PL-" + accession + "||CT-HEAD-P^CT brain plain^L||||||||||||||" + accession) + "\r";
  }

  private Terser terser(String answer) throws Exception {
    assertThat(answer).as("an answer").isNotNull();
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.getParserConfiguration().setValidating(false);
    return new Terser(hapi.getPipeParser().parse(answer));
  }

  /** A connection to the node's MLLP port from {@code from} (127.0.0.2 is another peer address). */
  private Socket connect(InetAddress from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), mllp));
    s.setSoTimeout((int) BOUND.toMillis());
    opened.add(s);
    return s;
  }

  /** Everything the server sends until it closes the connection; fails if it does not close it within the bound. */
  private static byte[] readAll(Socket s) throws IOException {
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
      // closed by the server while we were still sending
    }
    return got.toByteArray();
  }

  /** Writes what the server may stop reading at any moment (it closes the connection). */
  private static void writeQuietly(Socket s, byte[] bytes) {
    try {
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
    } catch (IOException closedMidway) {
      // the server closed the connection: what the test expects
    }
  }

  /** Connection threads of the node's MLLP listener ({@code mllp-<port>-<n>}; its acceptor is not one). */
  private static long connectionThreads() {
    String prefix = "mllp-" + mllp + "-";
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.startsWith(prefix) && !n.endsWith("-accept")).count();
  }
}
