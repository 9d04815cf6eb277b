package org.radbridge.server.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay between one client (storescu) and the DICOM listener that passes the client's first
 * {@code passed} bytes and then holds the rest, until {@link #cut()} closes both connections: an
 * association that dies in the middle of a data set, with PDUs DCMTK wrote.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listening;
  private final int target;
  private final long passed;
  private volatile Socket client;
  private volatile Socket server;

  CuttingProxy(int target, long passed) throws IOException {
    this.listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    this.target = target;
    this.passed = passed;
    Thread t = new Thread(this::relay, "cutting-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listening.getLocalPort();
  }

  private void relay() {
    try {
      client = listening.accept();
      server = new Socket(InetAddress.getLoopbackAddress(), target);
      Thread back = new Thread(() -> pump(server, client, Long.MAX_VALUE), "cutting-proxy-back");
      back.setDaemon(true);
      back.start();
      pump(client, server, passed);
    } catch (IOException closed) {
      // cut
    }
  }

  /** Copies at most {@code limit} bytes from one socket to the other; then stops reading. */
  private static void pump(Socket from, Socket to, long limit) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buf = new byte[4096];
      long left = limit;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          return;
        }
        out.write(buf, 0, n);
        out.flush();
        left -= n;
      }
    } catch (IOException closed) {
      // cut
    }
  }

  /** Ends both connections at once, as a crash or a pulled cable would. */
  void cut() throws IOException {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    listening.close();
  }
}
