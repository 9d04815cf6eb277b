package org.radbridge.server.audit;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.radbridge.server.listener.WriteWatchdog;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code audit-atna}: writes one row's RFC 5425 frames to the audit record repository
 * over TLS (RFC 5425: the repository's certificate must name its host; the bundle's key, if any, is
 * the client certificate ATNA's node authentication asks for). Syslog has no acknowledgement: a row
 * is delivered once its bytes are written and the connection closed cleanly; a failed connection
 * or a write that makes no progress within the timeout throws, and the outbox retries it. A missing
 * bundle stops the start naming the setting.
 */
@Component
class AtnaSyslogDelivery implements DeliveryHandler {
  private final AuditProperties.Atna settings;
  private final WriteWatchdog watchdog;
  private final SSLContext tls;

  AtnaSyslogDelivery(AuditProperties props, ObjectProvider<SslBundles> bundles, WriteWatchdog watchdog) {
    this.settings = props.getAtna();
    this.watchdog = watchdog;
    if (!settings.isEnabled()) {
      tls = null;
      return;
    }
    SslBundles available = bundles.getIfAvailable();
    if (available == null || !available.getBundleNames().contains(settings.getBundle())) {
      throw new IllegalStateException("radbridge.audit.atna.bundle names the SSL bundle '" + settings.getBundle()
          + "', which is not configured (spring.ssl.bundle.*)");
    }
    tls = available.getBundle(settings.getBundle()).createSslContext();
  }

  @Override
  public String kind() {
    return AtnaExport.KIND;
  }

  @Override
  public void deliver(OutboxRow row) throws Exception {
    if (tls == null) {
      throw new IllegalStateException("forwarding to an audit record repository is off (radbridge.audit.atna.enabled)");
    }
    int timeout = (int) settings.getTimeout().toMillis();
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
      SSLParameters p = socket.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // the repository's certificate names the host we asked for
      socket.setSSLParameters(p);
      socket.connect(new InetSocketAddress(settings.getHost(), settings.getPort()), timeout);
      socket.setSoTimeout(timeout);
      socket.startHandshake();
      String peer = "audit record repository " + settings.getHost() + ":" + settings.getPort();
      try (OutputStream out = watchdog.watch(socket, socket.getOutputStream(), settings.getTimeout(), peer)) {
        out.write(row.payload().getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }
}
