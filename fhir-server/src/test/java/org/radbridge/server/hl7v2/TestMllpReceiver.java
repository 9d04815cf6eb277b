package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A receiving system for the outbound tests: a plain MLLP server on 127.0.0.1 (its own framing,
 * not RadBridge's code) that keeps every message it gets and answers AA, or AE for the next
 * {@link #refuseNext} messages that contain a marker.
 */
public final class TestMllpReceiver implements AutoCloseable {
  private static final byte VT = 0x0b;
  private static final byte FS = 0x1c;
  private static final byte CR = 0x0d;

  private final ServerSocket server;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final HapiContext hapi = new DefaultHapiContext();
  private volatile String refuseMarker;
  private final AtomicInteger refusals = new AtomicInteger();

  public TestMllpReceiver(int port) throws IOException {
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.getParserConfiguration().setValidating(false);
    hapi.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "test-mllp-receiver");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next {@code times} messages containing {@code marker} are answered AE. */
  public void refuseNext(String marker, int times) {
    refuseMarker = marker;
    refusals.set(times);
  }

  /** Messages received so far that contain {@code text}, in arrival order. */
  public List<String> containing(String text) {
    return received.stream().filter(m -> m.contains(text)).toList();
  }

  /** Waits up to 20 s until {@code count} messages containing {@code text} have arrived. */
  public List<String> await(String text, int count) throws InterruptedException {
    return await(m -> m.contains(text), count);
  }

  public List<String> await(Predicate<String> which, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      List<String> got = received.stream().filter(which).toList();
      if (got.size() >= count) {
        return got;
      }
      Thread.sleep(25);
    }
    return received.stream().filter(which).toList();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "test-mllp-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      while (true) {
        byte[] frame = readFrame(in);
        if (frame == null) {
          return;
        }
        String text = new String(frame, charsetOf(frame));
        received.add(text);
        Message msg = hapi.getPipeParser().parse(text);
        String marker = refuseMarker;
        Message ack = marker != null && text.contains(marker) && refusals.getAndDecrement() > 0
            ? msg.generateACK(ca.uhn.hl7v2.AcknowledgmentCode.AE, new ca.uhn.hl7v2.HL7Exception("receiver busy"))
            : msg.generateACK();
        out.write(frame(ack.encode().getBytes(StandardCharsets.UTF_8)));
        out.flush();
      }
    } catch (Exception e) {
      // the sender hung up
    }
  }

  /** Sends raw bytes as one MLLP frame to host:port and returns the answer's text (UTF-8). */
  public static String sendRaw(int port, byte[] message) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(frame(message));
      s.getOutputStream().flush();
      byte[] answer = readFrame(s.getInputStream());
      return answer == null ? null : new String(answer, charsetOf(answer));
    }
  }

  static byte[] frame(byte[] body) {
    byte[] framed = new byte[body.length + 3];
    framed[0] = VT;
    System.arraycopy(body, 0, framed, 1, body.length);
    framed[body.length + 1] = FS;
    framed[body.length + 2] = CR;
    return framed;
  }

  private static byte[] readFrame(InputStream in) throws IOException {
    int b;
    while ((b = in.read()) != VT) {
      if (b < 0) {
        return null;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while ((b = in.read()) != FS) {
      if (b < 0) {
        return null;
      }
      body.write(b);
    }
    in.read(); // the trailing CR
    return body.toByteArray();
  }

  /** MSH-18 read from the ASCII header: GB18030 or UTF-8 (what the network's systems send). */
  private static Charset charsetOf(byte[] frame) {
    String head = new String(frame, 0, Math.min(frame.length, 300), StandardCharsets.ISO_8859_1);
    String msh = head.contains("\r") ? head.substring(0, head.indexOf('\r')) : head;
    return msh.contains("GB18030") || msh.contains("GB 18030") ? Charset.forName("GB18030") : StandardCharsets.UTF_8;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
