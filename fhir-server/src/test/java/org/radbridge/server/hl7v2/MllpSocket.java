package org.radbridge.server.hl7v2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One MLLP connection that sends text as it is, for messages HAPI's client would refuse to send
 * (broken headers): frames of our own, answers read back as text. Waits at most {@code timeout}
 * for an answer, so a server that never answers fails the test instead of hanging it.
 */
final class MllpSocket implements AutoCloseable {
  private final Socket socket;

  MllpSocket(int port, java.time.Duration timeout) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) timeout.toMillis());
  }

  /** Sends one message (segments separated by CR); returns the answer, or null when the server closed the connection. */
  String send(String message) throws IOException {
    return sendBytes(message.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one message as these bytes (any charset); returns the answer, or null when the server closed the connection. */
  String sendBytes(byte[] message) throws IOException {
    socket.getOutputStream().write(TestMllpReceiver.frame(message));
    socket.getOutputStream().flush();
    try {
      return answer(socket.getInputStream());
    } catch (SocketTimeoutException silence) {
      throw new AssertionError("No answer within " + socket.getSoTimeout() + " ms", silence);
    }
  }

  /** The next framed answer on {@code in} (UTF-8), or null when the connection closed first. */
  static String answer(InputStream in) throws IOException {
    int b;
    try {
      while ((b = in.read()) != 0x0b) {
        if (b < 0) {
          return null;
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while ((b = in.read()) != 0x1c) {
        if (b < 0) {
          return null;
        }
        body.write(b);
      }
      in.read(); // the CR after FS
      return body.toString(StandardCharsets.UTF_8);
    } catch (java.net.SocketException reset) {
      return null; // closed by the server
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
