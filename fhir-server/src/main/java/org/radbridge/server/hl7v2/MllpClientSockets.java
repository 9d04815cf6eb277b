package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.util.StandardSocketFactory;
import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;

/**
 * Sockets of HAPI's MLLP client ({@link MllpDelivery}): TLS sockets come from the configured SSL
 * bundle's context instead of the JVM default.
 */
final class MllpClientSockets extends StandardSocketFactory {
  private final SSLContext tls;

  MllpClientSockets(SSLContext tls) {
    this.tls = tls;
  }

  @Override
  public Socket createTlsSocket() throws IOException {
    return tls == null ? super.createTlsSocket() : tls.getSocketFactory().createSocket();
  }
}
