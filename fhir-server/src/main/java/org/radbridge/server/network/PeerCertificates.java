package org.radbridge.server.network;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * Pure: the certificates a node may show, each named by its subject ({@code CN=CT_A,O=Centre A},
 * compared as distinguished names: order of RDNs matters, case and spacing do not) or by its SHA-256
 * fingerprint (64 hex digits, colons and a {@code SHA-256:} prefix allowed — what {@code openssl
 * x509 -fingerprint -sha256} prints). The certificate's chain is TLS's to check (the bundle's trust
 * store); this says whether the checked certificate is the node's.
 */
public final class PeerCertificates {
  private static final Pattern FINGERPRINT = Pattern.compile("(?i)(sha-?256:)?([0-9a-f]{2}:?){31}[0-9a-f]{2}");

  private PeerCertificates() {}

  /** Why an entry names no certificate (empty: it does). */
  public static Optional<String> problemWith(String entry) {
    if (entry == null || entry.isBlank()) {
      return Optional.of("a certificate is named by its subject (CN=…,O=…) or SHA-256 fingerprint, not by nothing");
    }
    if (isFingerprint(entry)) {
      return Optional.empty();
    }
    try {
      new X500Principal(entry.strip());
      return Optional.empty();
    } catch (IllegalArgumentException notADn) {
      return Optional.of("'" + entry + "' is neither a SHA-256 fingerprint (64 hex digits) nor a subject (CN=…,O=…): "
          + notADn.getMessage());
    }
  }

  /** Whether {@code certificate} is one that {@code entries} name (entries naming nothing are skipped). */
  public static boolean matches(List<String> entries, X509Certificate certificate) {
    if (certificate == null) {
      return false;
    }
    for (String entry : entries) {
      if (problemWith(entry).isPresent()) {
        continue;
      }
      if (isFingerprint(entry) ? fingerprint(certificate).equals(normalise(entry))
          : new X500Principal(entry.strip()).equals(certificate.getSubjectX500Principal())) {
        return true;
      }
    }
    return false;
  }

  /** The certificate's SHA-256 fingerprint as 64 lower-case hex digits. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isFingerprint(String entry) {
    return FINGERPRINT.matcher(entry.strip()).matches();
  }

  private static String normalise(String fingerprint) {
    return fingerprint.strip().toLowerCase(Locale.ROOT).replaceFirst("^sha-?256:", "").replace(":", "");
  }
}
