package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.util.StandardSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * HAPI's MLLP server binds its server socket to all interfaces; this factory hands it one that
 * binds to {@code radbridge.bind-address} instead (same port), and remembers it so the actual port
 * is known when 0 was configured. TLS sockets (server and client) come from the configured SSL
 * bundle's context instead of the JVM default.
 */
final class BoundSocketFactory extends StandardSocketFactory {
  private final InetAddress address;
  private final SSLContext tls;
  private volatile ServerSocket last;

  BoundSocketFactory(InetAddress address, SSLContext tls) {
    this.address = address;
    this.tls = tls;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    ServerSocket s = new ServerSocket() {
      @Override
      public void bind(SocketAddress endpoint, int backlog) throws IOException {
        super.bind(bound(endpoint), backlog);
      }
    };
    last = s;
    return s;
  }

  @Override
  public ServerSocket createTlsServerSocket() throws IOException {
    if (tls == null) {
      return super.createTlsServerSocket();
    }
    SSLServerSocket s = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
    ServerSocket wrapped = new DelegatingBind(s, this);
    last = s;
    return wrapped;
  }

  @Override
  public Socket createTlsSocket() throws IOException {
    return tls == null ? super.createTlsSocket() : tls.getSocketFactory().createSocket();
  }

  private SocketAddress bound(SocketAddress endpoint) {
    int port = endpoint instanceof InetSocketAddress i ? i.getPort() : 0;
    return new InetSocketAddress(address == null ? InetAddress.getLoopbackAddress() : address, port);
  }

  int boundPort() {
    ServerSocket s = last;
    return s == null ? -1 : s.getLocalPort();
  }

  /** HAPI calls bind(endpoint) on the TLS server socket; bind it to our address instead. */
  private static final class DelegatingBind extends ServerSocket {
    private final SSLServerSocket inner;
    private final BoundSocketFactory factory;

    DelegatingBind(SSLServerSocket inner, BoundSocketFactory factory) throws IOException {
      this.inner = inner;
      this.factory = factory;
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
      inner.bind(factory.bound(endpoint), backlog);
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
      inner.bind(factory.bound(endpoint));
    }

    @Override
    public Socket accept() throws IOException {
      return inner.accept();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }

    @Override
    public boolean isClosed() {
      return inner.isClosed();
    }

    @Override
    public boolean isBound() {
      return inner.isBound();
    }

    @Override
    public int getLocalPort() {
      return inner.getLocalPort();
    }

    @Override
    public void setSoTimeout(int timeout) throws java.net.SocketException {
      inner.setSoTimeout(timeout);
    }
  }
}
