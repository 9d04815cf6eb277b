package org.radbridge.server.hl7v2;

import javax.net.ssl.SSLContext;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.stereotype.Component;

/**
 * MLLP over TLS, configured as a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) named by
 * {@code radbridge.hl7v2.tls.bundle}: its key store serves the listener (when
 * {@code radbridge.hl7v2.tls.enabled}), its trust store checks receivers reached at
 * {@code mllps://} Endpoint addresses and the client certificates the listener asks for
 * ({@code radbridge.hl7v2.tls.client-auth} want or need: mutual TLS). No bundle, no TLS.
 */
@Component
public class MllpTls {
  private final SSLContext context;
  private final boolean listener;
  private final RadBridgeProperties.ClientAuth clientAuth;

  public MllpTls(RadBridgeProperties props, ObjectProvider<SslBundles> bundles) {
    String name = props.getHl7v2().getTls().getBundle();
    SslBundles available = bundles.getIfAvailable();
    if (name == null || name.isBlank()) {
      context = null;
    } else if (available == null) {
      throw new IllegalStateException("radbridge.hl7v2.tls.bundle=" + name + " but no spring.ssl.bundle is configured");
    } else {
      context = available.getBundle(name).createSslContext();
    }
    listener = props.getHl7v2().getTls().isEnabled();
    clientAuth = props.getHl7v2().getTls().getClientAuth();
    if (listener && context == null) {
      throw new IllegalStateException("radbridge.hl7v2.tls.enabled needs radbridge.hl7v2.tls.bundle");
    }
    if (clientAuth != RadBridgeProperties.ClientAuth.NONE && !listener) {
      throw new IllegalStateException("radbridge.hl7v2.tls.client-auth=" + clientAuth.name().toLowerCase()
          + " needs radbridge.hl7v2.tls.enabled=true");
    }
  }

  /** The SSL context of the configured bundle, or null. */
  SSLContext context() {
    return context;
  }

  /** The listener's server socket (unbound), asking for client certificates as configured. */
  java.net.ServerSocket serverSocket() throws java.io.IOException {
    javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    switch (clientAuth) {
      case NEED -> s.setNeedClientAuth(true);
      case WANT -> s.setWantClientAuth(true);
      case NONE -> s.setWantClientAuth(false);
    }
    return s;
  }

  /** Whether the listener speaks TLS. */
  boolean listenerUsesTls() {
    return listener;
  }
}
