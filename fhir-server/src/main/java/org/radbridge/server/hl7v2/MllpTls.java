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
 * {@code mllps://} Endpoint addresses. No bundle, no TLS.
 */
@Component
public class MllpTls {
  private final SSLContext context;
  private final boolean listener;

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
    if (listener && context == null) {
      throw new IllegalStateException("radbridge.hl7v2.tls.enabled needs radbridge.hl7v2.tls.bundle");
    }
  }

  /** The SSL context of the configured bundle, or null. */
  SSLContext context() {
    return context;
  }

  /** Whether the listener speaks TLS. */
  boolean listenerUsesTls() {
    return listener;
  }
}
