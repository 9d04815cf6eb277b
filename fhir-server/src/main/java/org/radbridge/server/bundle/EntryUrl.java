package org.radbridge.server.bundle;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bundle entry's request.url, accepted only in the four forms an entry may take — {@code Type},
 * {@code Type/id}, {@code Type?query} and {@code Type/id/_history/version} — so nothing else can be
 * addressed: no dot segments ({@code Patient/../../etc/passwd}), no other server, no encoded
 * slashes, no fragment.
 */
record EntryUrl(String type, String id, String version, String query) {
  private static final Pattern PATH = Pattern.compile(
      "([A-Z][A-Za-z]{0,63})(?:/([A-Za-z0-9\\-.]{1,64})(?:/_history/([0-9]{1,9}))?)?");

  static EntryUrl parse(String url, String where, Set<String> resourceTypes) {
    String path = url;
    String query = null;
    int qm = url.indexOf('?');
    if (qm >= 0) {
      path = url.substring(0, qm);
      query = url.substring(qm + 1);
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches() || m.group(2) != null && isDotSegment(m.group(2)) || query != null && m.group(2) != null
        || query != null && query.indexOf('#') >= 0) {
      throw new InvalidRequestException(where + ": request.url '" + abbreviated(url) + "' must be Type, Type/id,"
          + " Type?query or Type/id/_history/version (relative to the base, no '.' or '..' segments)");
    }
    if (!resourceTypes.contains(m.group(1))) {
      throw new InvalidRequestException(where + ": '" + m.group(1) + "' in request.url is not a resource type");
    }
    return new EntryUrl(m.group(1), m.group(2), m.group(3), query);
  }

  private static boolean isDotSegment(String id) {
    return ".".equals(id) || "..".equals(id);
  }

  private static String abbreviated(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "…";
  }
}
