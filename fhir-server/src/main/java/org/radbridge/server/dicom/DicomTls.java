package org.radbridge.server.dicom;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.radbridge.server.RadBridgeProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.stereotype.Component;

/**
 * DICOM over TLS (DICOM PS3.15 Annex B), configured as a Spring Boot SSL bundle named by
 * {@code radbridge.dicom.tls.bundle}: its key serves the listener (when
 * {@code radbridge.dicom.tls.enabled}) and is the client certificate RadBridge shows
 * {@code dicoms://} nodes; its trust store checks peers on both sides; its options (ciphers,
 * protocols) apply to every socket. PixelMed's own TLS (TLSv1, RSA key exchange, the JVM's default
 * context) is not used: its association classes run on the TLS sockets made here. No bundle: no
 * listener TLS, and {@code dicoms://} nodes are checked against the JVM's trust store.
 */
@Component
public class DicomTls {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DicomTls.class);
  private final SslBundle bundle;
  private final SSLContext context;
  private final boolean listener;
  private final RadBridgeProperties.ClientAuth clientAuth;

  public DicomTls(RadBridgeProperties props, ObjectProvider<SslBundles> bundles,
      org.radbridge.server.network.NetworkProperties network) {
    RadBridgeProperties.Tls tls = props.getDicom().getTls();
    String name = tls.getBundle();
    SslBundles available = bundles.getIfAvailable();
    if (name == null || name.isBlank()) {
      bundle = null;
      context = null;
    } else if (available == null) {
      throw new IllegalStateException("radbridge.dicom.tls.bundle=" + name + " but no spring.ssl.bundle is configured");
    } else {
      bundle = available.getBundle(name);
      context = bundle.createSslContext();
    }
    listener = tls.isEnabled();
    clientAuth = tls.getClientAuth();
    if (listener && context == null) {
      throw new IllegalStateException("radbridge.dicom.tls.enabled needs radbridge.dicom.tls.bundle");
    }
    if (!listener || clientAuth == RadBridgeProperties.ClientAuth.NONE) {
      // such a node is refused every association until the listener asks for certificates
      network.getDicomNodes().stream().filter(n -> !n.getCertificates().isEmpty()).forEach(n -> log.warn(
          "DICOM node {} names certificates, which it can show only to a TLS listener that asks for them"
              + " (radbridge.dicom.tls.enabled=true, client-auth want or need): its associations are refused",
          n.getAeTitle()));
    }
  }

  /** Whether the listener speaks TLS. */
  boolean listenerUsesTls() {
    return listener;
  }

  RadBridgeProperties.ClientAuth clientAuth() {
    return clientAuth;
  }

  /**
   * The server side of TLS over an accepted connection. Nothing is sent or read here: the handshake
   * runs on the association's thread at its first read, within the listener's read timeout.
   */
  SSLSocket serverSide(Socket accepted) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(accepted,
        accepted.getInetAddress().getHostAddress(), accepted.getPort(), true);
    s.setUseClientMode(false);
    switch (clientAuth) {
      case NEED -> s.setNeedClientAuth(true);
      case WANT -> s.setWantClientAuth(true);
      default -> s.setWantClientAuth(false);
    }
    applyOptions(s);
    return s;
  }

  /**
   * A TLS connection to a node, handshake done, within {@code timeout} (connect, then every read):
   * the node's certificate must chain to the trust store and name {@code host} (as HTTPS checks).
   */
  SSLSocket connect(String host, int port, Duration timeout) throws IOException {
    SSLContext ctx;
    try {
      ctx = context != null ? context : SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no TLS context: " + e.getMessage(), e);
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    Socket tcp = new Socket();
    try {
      tcp.connect(new InetSocketAddress(host, port), millis);
      tcp.setSoTimeout(millis);
      tcp.setTcpNoDelay(true);
      SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, host, port, true);
      SSLParameters params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      applyOptions(s);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      tcp.close();
      throw e;
    }
  }

  private void applyOptions(SSLSocket s) {
    SslOptions options = bundle == null ? SslOptions.NONE : bundle.getOptions();
    if (options.getCiphers() != null) {
      s.setEnabledCipherSuites(options.getCiphers());
    }
    if (options.getEnabledProtocols() != null) {
      s.setEnabledProtocols(options.getEnabledProtocols());
    }
  }
}
