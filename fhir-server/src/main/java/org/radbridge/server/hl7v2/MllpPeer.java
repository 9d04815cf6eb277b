package org.radbridge.server.hl7v2;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

/**
 * Who is at the other end of an MLLP connection, as far as the connection knows it: handed with
 * each message from {@link MllpConnection} (which owns the socket) to the applications in HAPI's
 * message metadata, for {@link LoggedMessageApplication} to recognise the sender.
 *
 * @param address the peer's address
 * @param tls whether the connection is TLS
 * @param certificate the client certificate the TLS handshake verified; null when none was asked
 *     for or sent
 */
record MllpPeer(InetAddress address, boolean tls, X509Certificate certificate) {
  /** The metadata key (HAPI's own keys carry the address only as text). */
  static final String METADATA_KEY = "radbridge.mllp-peer";

  MllpPeer(InetAddress address) {
    this(address, false, null);
  }

  /** The peer of a message's metadata; none for a message that did not come through a connection. */
  static Optional<MllpPeer> of(Map<String, Object> metadata) {
    return metadata != null && metadata.get(METADATA_KEY) instanceof MllpPeer p ? Optional.of(p) : Optional.empty();
  }
}
