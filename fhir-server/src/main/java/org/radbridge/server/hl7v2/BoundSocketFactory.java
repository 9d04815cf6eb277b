package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.util.StandardSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;

/**
 * HAPI's MLLP server binds its server socket to all interfaces; this factory hands it one that
 * binds to {@code radbridge.bind-address} instead (same port), and remembers it so the actual port
 * is known when 0 was configured.
 */
final class BoundSocketFactory extends StandardSocketFactory {
  private final InetAddress address;
  private volatile ServerSocket last;

  BoundSocketFactory(InetAddress address) {
    this.address = address;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    ServerSocket s = new ServerSocket() {
      @Override
      public void bind(SocketAddress endpoint, int backlog) throws IOException {
        int port = endpoint instanceof InetSocketAddress i ? i.getPort() : 0;
        super.bind(new InetSocketAddress(address, port), backlog);
      }
    };
    last = s;
    return s;
  }

  int boundPort() {
    ServerSocket s = last;
    return s == null ? -1 : s.getLocalPort();
  }
}
