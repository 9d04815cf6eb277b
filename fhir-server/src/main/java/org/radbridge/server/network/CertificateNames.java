package org.radbridge.server.network;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Pure: whether a TLS peer's certificate is one that a DICOM node's or an HL7 application's
 * certificate entries name. An entry is either
 * <ul>
 *   <li>the certificate's SHA-256 fingerprint: 64 hex digits, case aside, with or without colons or
 *   spaces between them, optionally prefixed {@code sha256:}, {@code SHA-256:} or {@code sha256
 *   Fingerprint=} (as {@code openssl x509 -noout -fingerprint -sha256} prints it) — exactly that
 *   certificate; or</li>
 *   <li>its subject DN, optionally prefixed {@code subject=} — every certificate the trusted CA issues
 *   to that subject, so a renewal needs no change. The DN is compared as a set of RDNs, each in its
 *   X.500 canonical form (case, spacing and attribute keyword vs OID aside) and <em>in any order</em>:
 *   openssl's default output ({@code O = Centre A, CN = CT_A}, X.509 order), RFC 2253 order
 *   ({@code CN=CT_A,O=Centre A}, what Java and our log lines print) and a hand-written mix all name the
 *   same subject. Two subjects differing only in RDN order are not issued to different parties by a
 *   CA anyone trusts, and an order rule made half of the spellings people copy fail silently (every
 *   association refused). Every RDN must be there: {@code CN=CT_A} alone is another subject.</li>
 * </ul>
 * The certificate's chain is TLS's to check (the bundle's trust store); this only says whose it is.
 */
public final class CertificateNames {
  private static final Pattern FINGERPRINT = Pattern.compile(
      "(?i)(?:sha-?256(?:\\s*fingerprint)?\\s*[:=]\\s*)?((?:[0-9a-f]{2}[:\\s]?){31}[0-9a-f]{2})");
  private static final Pattern SUBJECT_PREFIX = Pattern.compile("(?i)^subject\\s*[=:]\\s*");

  private CertificateNames() {}

  /** Why an entry names no certificate (empty: it does), for the settings check and the REST 422. */
  public static Optional<String> problemWith(String entry) {
    if (entry == null || entry.isBlank()) {
      return Optional.of("is empty: a certificate is named by its SHA-256 fingerprint or its subject DN (CN=…,O=…)");
    }
    if (fingerprint(entry).isPresent()) {
      return Optional.empty();
    }
    try {
      subject(entry);
      return Optional.empty();
    } catch (IllegalArgumentException notADn) {
      return Optional.of("'" + entry + "' is neither a SHA-256 fingerprint (64 hex digits) nor a subject DN (CN=…,O=…): "
          + notADn.getMessage());
    }
  }

  /** Whether {@code certificate} is one that one of {@code entries} names (entries naming nothing name none). */
  public static boolean matches(List<String> entries, X509Certificate certificate) {
    if (certificate == null) {
      return false;
    }
    String sha256 = sha256(certificate);
    List<String> subject = rdns(certificate.getSubjectX500Principal());
    for (String entry : entries) {
      if (problemWith(entry).isPresent()) {
        continue;
      }
      Optional<String> fingerprint = fingerprint(entry);
      if (fingerprint.isPresent() ? fingerprint.get().equals(sha256) : subject(entry).equals(subject)) {
        return true;
      }
    }
    return false;
  }

  /** The certificate's SHA-256 fingerprint as 64 lower-case hex digits (for log lines and comparison). */
  public static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a certificate", e);
    }
  }

  private static Optional<String> fingerprint(String entry) {
    Matcher m = FINGERPRINT.matcher(entry.strip());
    return m.matches() ? Optional.of(m.group(1).replaceAll("[:\\s]", "").toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** The entry's RDNs in canonical form, sorted; IllegalArgumentException when it is no DN. */
  private static List<String> subject(String entry) {
    String dn = SUBJECT_PREFIX.matcher(entry.strip()).replaceFirst("");
    if (!dn.contains("=")) {
      throw new IllegalArgumentException("no attribute=value");
    }
    return rdns(new X500Principal(dn));
  }

  private static List<String> rdns(X500Principal name) {
    try {
      return new LdapName(name.getName(X500Principal.CANONICAL)).getRdns().stream().map(Rdn::toString).sorted().toList();
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException(e.getMessage(), e); // X500Principal's canonical form is always a valid name
    }
  }
}
