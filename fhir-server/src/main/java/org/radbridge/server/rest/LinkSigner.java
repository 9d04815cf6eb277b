package org.radbridge.server.rest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.radbridge.server.store.ServerSecrets;
import org.springframework.stereotype.Component;

/**
 * Signs paging links, so that a page is served only for a link the server itself issued: the
 * query, its bound, its _count and its cursor cannot be forged or altered (a link asking for
 * 100,000,000 rows, or a cursor value PostgreSQL cannot read, is refused before it runs). The key
 * is shared by all nodes through the database, so any node serves any link.
 */
@Component
public class LinkSigner {
  // the signature (base64url) holds no '.', so the last '.' separates it; URLs carry '.' unescaped
  private static final char SEPARATOR = '.';
  private final ServerSecrets secrets;
  private volatile byte[] key;

  public LinkSigner(ServerSecrets secrets) {
    this.secrets = secrets;
  }

  /** The page id to put in a link: the cursor and its signature over both parts of the link. */
  String sign(String searchId, String cursor) {
    return cursor + SEPARATOR + mac(searchId, cursor);
  }

  /** The cursor of a page id this server signed for this search id; refused (400) otherwise. */
  String verify(String searchId, String pageId) {
    int at = pageId == null ? -1 : pageId.lastIndexOf(SEPARATOR);
    if (searchId == null || at < 0) {
      throw damaged();
    }
    String cursor = pageId.substring(0, at);
    byte[] given = pageId.substring(at + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = mac(searchId, cursor).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(given, expected)) {
      throw damaged();
    }
    return cursor;
  }

  static InvalidRequestException damaged() {
    return new InvalidRequestException("Invalid or damaged paging link: use the links of the Bundle the server"
        + " returned, unchanged");
  }

  private String mac(String searchId, String cursor) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(), "HmacSHA256"));
      mac.update(searchId.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      byte[] full = mac.doFinal(cursor.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private byte[] key() {
    byte[] k = key;
    if (k == null) {
      k = secrets.secret("paging-links");
      key = k;
    }
    return k;
  }
}
