package org.radbridge.server.rest;

import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.ResourceRows.HistoryCursor;
import org.radbridge.server.store.StoredVersion;
import org.springframework.stereotype.Component;

/**
 * History bundles paged by keyset, with no state on the server: the page link carries the query
 * (type, id, _since, and the instant of the first page, which bounds the set) and the position of
 * the last entry shown. Any node can serve any page.
 */
@Component
public class HistoryPages {
  static final String PREFIX = "h.";

  private final ResourceRows rows;
  private final ResourceReader reader;
  private final RadBridgeProperties props;
  private final LinkSigner signer;

  private final org.radbridge.server.security.RestCallers callers;

  public HistoryPages(ResourceRows rows, ResourceReader reader, RadBridgeProperties props, LinkSigner signer,
      org.radbridge.server.security.RestCallers callers) {
    this.callers = callers;
    this.rows = rows;
    this.reader = reader;
    this.props = props;
    this.signer = signer;
  }

  /** The query part of a history walk, encoded into the link's search id. */
  record Query(String type, String id, Instant since, Instant notAfter, int count) {
    String encode() {
      String raw = String.join("\n", nz(type), nz(id), since == null ? "" : Long.toString(since.toEpochMilli()),
          Long.toString(notAfter.toEpochMilli()), Integer.toString(count));
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The query of a signed link; its count is still held to the limit in force now. */
    static Query decode(String searchId, int maxCount) {
      Query q;
      try {
        String raw = new String(Base64.getUrlDecoder().decode(searchId.substring(PREFIX.length())), StandardCharsets.UTF_8);
        String[] f = raw.split("\n", -1);
        q = new Query(en(f[0]), en(f[1]), f[2].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[2])),
            Instant.ofEpochMilli(Long.parseLong(f[3])), Integer.parseInt(f[4]));
      } catch (RuntimeException e) {
        throw LinkSigner.damaged();
      }
      if (q.count() < 0) {
        throw LinkSigner.damaged();
      }
      return q.count() > maxCount ? new Query(q.type(), q.id(), q.since(), q.notAfter(), maxCount) : q;
    }

    private static String nz(String s) {
      return s == null ? "" : s;
    }

    private static String en(String s) {
      return s.isEmpty() ? null : s;
    }
  }

  /** Request user-data key under which a first page leaves its keyset link for {@link KeysetLinkRewriter}. */
  static final String NEXT_PAGE_KEY = "radbridge.nextPage";

  public IBundleProvider firstPage(String type, String id, Date since, Integer count, RequestDetails request) {
    int size = pageSize(count);
    Instant notAfter = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    if (id != null && !rows.exists(type, id)) {
      throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException(
          new org.hl7.fhir.r4.model.IdType(type, id));
    }
    return new Page(new Query(type, id, since == null ? null : since.toInstant(), notAfter, size), null, request);
  }

  /** What a signed history link reads: its type ("*" for the whole server) and whether it is one resource's. */
  static Map.Entry<String, Boolean> scopeOf(String searchId) {
    Query q = Query.decode(searchId, Integer.MAX_VALUE);
    return Map.entry(q.type() == null ? "*" : q.type(), q.id() != null);
  }

  /** A later page, for a link whose signature the paging provider has checked: {@code cursor} is its position. */
  public IBundleProvider page(String searchId, String cursor) {
    return new Page(Query.decode(searchId, props.getLimits().getMaxPageSize()), decodeCursor(cursor), null);
  }

  private int pageSize(Integer count) {
    if (count == null) {
      return props.getLimits().getDefaultPageSize();
    }
    if (count < 0) {
      throw new InvalidRequestException("_count must not be negative");
    }
    return Math.min(count, props.getLimits().getMaxPageSize());
  }

  private static String encodeCursor(HistoryCursor c) {
    return c.lastUpdated().toEpochMilli() + "." + c.resPk() + "." + c.versionId();
  }

  private static HistoryCursor decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty() || FIRST.equals(cursor)) {
      return null;
    }
    try {
      String[] f = cursor.split("\\.");
      return new HistoryCursor(Instant.ofEpochMilli(Long.parseLong(f[0])), Long.parseLong(f[1]),
          Integer.parseInt(f[2]));
    } catch (RuntimeException e) {
      throw LinkSigner.damaged();
    }
  }

  private static final String FIRST = "first";

  /** One page of a history walk. */
  final class Page implements IBundleProvider {
    private final Query query;
    private final HistoryCursor cursor;
    private final RequestDetails firstPageRequest;
    /** The reader's, taken on the request's thread. */
    private final org.radbridge.server.store.Visibility visibility = callers.visibility();
    private List<IBaseResource> resources;
    private HistoryCursor next;

    Page(Query query, HistoryCursor cursor, RequestDetails firstPageRequest) {
      this.query = query;
      this.cursor = cursor;
      this.firstPageRequest = firstPageRequest;
    }

    private void load() {
      if (resources != null) {
        return;
      }
      List<StoredVersion> versions = rows.history(query.type(), query.id(), query.since(), query.notAfter(), cursor,
          query.count() + 1, visibility);
      if (versions.size() > query.count()) {
        versions = versions.subList(0, query.count());
        StoredVersion last = versions.get(versions.size() - 1);
        next = new HistoryCursor(last.lastUpdated(), last.resPk(), last.versionId());
      }
      resources = reader.toResources(versions);
      if (firstPageRequest != null) {
        // HAPI links history pages by offset; the rewriter swaps in this keyset link
        firstPageRequest.getUserData().put(NEXT_PAGE_KEY,
            next == null ? "" : query.encode() + "&_pageId=" + signer.sign(query.encode(), encodeCursor(next)));
      }
    }

    @Override
    public List<IBaseResource> getResources(int from, int to) {
      load();
      return resources;
    }

    @Override
    public String getUuid() {
      return query.encode();
    }

    @Override
    public String getCurrentPageId() {
      return signer.sign(query.encode(), cursor == null ? FIRST : encodeCursor(cursor));
    }

    @Override
    public String getNextPageId() {
      load();
      return next == null ? null : signer.sign(query.encode(), encodeCursor(next));
    }

    @Override
    public IPrimitiveType<Date> getPublished() {
      return new InstantType(Date.from(query.notAfter()));
    }

    @Override
    public Integer preferredPageSize() {
      return query.count();
    }

    @Override
    public Integer size() {
      return null;
    }
  }
}
