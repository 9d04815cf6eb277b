package org.radbridge.server.network;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Which client certificates an HL7 application's entries name (pure). An entry is either the
 * certificate's SHA-256 fingerprint — 64 hex digits, colons or spaces between them allowed,
 * optionally prefixed {@code sha256:} — which names exactly one certificate, or, when it contains
 * {@code =}, its subject DN in RFC 2253 order — most specific RDN first, as {@code openssl x509 -noout
 * -subject -nameopt RFC2253} and the refusal's log line print it, e.g. {@code O=City Hospital,CN=RIS_CITY}
 * — compared as X.500 names (case and spacing aside, RDN order counts), which names every certificate the trusted CA issues to that subject (so a renewal needs no
 * change). Either way the certificate has already been verified against the TLS bundle's trust
 * store by the handshake.
 */
public final class ClientCertificates {
  private ClientCertificates() {}

  /** What is wrong with an entry, or empty when it is a fingerprint or a DN. */
  public static Optional<String> problemWith(String entry) {
    if (entry == null || entry.isBlank()) {
      return Optional.of("is empty");
    }
    if (entry.contains("=")) {
      try {
        new X500Principal(entry.strip());
        return Optional.empty();
      } catch (IllegalArgumentException e) {
        return Optional.of("is not a distinguished name (RFC 2253): " + e.getMessage());
      }
    }
    return fingerprint(entry).isPresent() ? Optional.empty()
        : Optional.of("is neither a SHA-256 fingerprint (64 hex digits) nor a subject DN (O=…,CN=…)");
  }

  /** Whether {@code cert} is one that one of {@code entries} names (entries with a problem name none). */
  public static boolean matches(List<String> entries, X509Certificate cert) {
    if (cert == null) {
      return false;
    }
    String sha256 = sha256(cert);
    for (String entry : entries) {
      if (problemWith(entry).isPresent()) {
        continue;
      }
      if (entry.contains("=")) {
        if (new X500Principal(entry.strip()).equals(cert.getSubjectX500Principal())) {
          return true;
        }
      } else if (fingerprint(entry).get().equals(sha256)) {
        return true;
      }
    }
    return false;
  }

  /** The certificate's SHA-256 fingerprint, lower-case hex without separators. */
  public static String sha256(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a certificate", e);
    }
  }

  private static Optional<String> fingerprint(String entry) {
    String s = entry.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("sha256:")) {
      s = s.substring("sha256:".length());
    } else if (s.startsWith("sha-256:")) {
      s = s.substring("sha-256:".length());
    }
    s = s.replace(":", "").replace(" ", "");
    return s.matches("[0-9a-f]{64}") ? Optional.of(s) : Optional.empty();
  }
}
