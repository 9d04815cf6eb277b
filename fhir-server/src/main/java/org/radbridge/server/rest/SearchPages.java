package org.radbridge.server.rest;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.radbridge.server.search.SearchCriteria.Clause;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.search.SearchRequest;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.search.SearchService.PageRow;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.springframework.stereotype.Component;

/**
 * Search result pages, walked by keyset on the sort keys plus res_pk, with no state on the server.
 * The link's search id carries the query and the largest res_pk at the first page (resources
 * created later are outside the walk, so none is skipped or repeated); the page id carries the
 * sort values and res_pk of the last (next) or first (previous) row shown.
 */
@Component
public class SearchPages implements org.radbridge.server.bundle.EntrySearch {
  static final String PREFIX = "s.";

  private final SearchService search;
  private final ResourceRows rows;
  private final ResourceReader reader;
  private final RadBridgeProperties props;
  private final LinkSigner signer;

  private final org.radbridge.server.security.RestCallers callers;

  public SearchPages(SearchService search, ResourceRows rows, ResourceReader reader, RadBridgeProperties props,
      LinkSigner signer, org.radbridge.server.security.RestCallers callers) {
    this.callers = callers;
    this.search = search;
    this.rows = rows;
    this.reader = reader;
    this.props = props;
    this.signer = signer;
  }

  public org.radbridge.server.search.CustomSearchParameters customSearchParameters() {
    return search.customSearchParameters();
  }

  public org.radbridge.server.search.SearchParamRegistry registry() {
    return search.registry();
  }

  /** Request user-data key for the self link that lists only the parameters used. */
  static final String SELF_LINK_KEY = "radbridge.selfLink";

  /**
   * The first page of a search over one type, several ("A,B") or all (null). Unknown parameters
   * are refused with {@code Prefer: handling=strict} and otherwise ignored and left out of the
   * self link, as R4 describes.
   */
  @Override
  public IBundleProvider firstPage(String type, Map<String, String[]> params, RequestDetails request) {
    SearchRequest req = SearchRequest.from(type, params, props.getLimits().getDefaultPageSize(),
        props.getLimits().getMaxPageSize());
    boolean strict = isStrict(request.getHeader("Prefer"));
    List<Clause> used = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (Clause c : req.criteria().clauses()) {
      boolean known = true;
      for (String t : type == null ? new String[] {null} : type.split(",")) {
        known &= search.isKnown(t, c);
      }
      if (known) {
        used.add(c);
      } else if (strict) {
        throw new InvalidRequestException("Unknown search parameter '" + c.rawName() + "' for "
            + (type == null ? "a search across all types" : type) + " (Prefer: handling=strict)");
      } else {
        ignored.add(c.rawName());
      }
    }
    Map<String, String[]> kept = new LinkedHashMap<>(params);
    kept.keySet().removeAll(ignored);
    if (!ignored.isEmpty()) {
      req = req.withCriteria(org.radbridge.server.search.SearchCriteria.of(used));
    }
    String query = toQuery(kept);
    request.getUserData().put(SELF_LINK_KEY, request.getFhirServerBase() + (type == null || type.contains(",") ? "" : "/" + type)
        + (query.isEmpty() ? "" : "?" + query));
    // the reader's organisation, as a predicate of every query of the page (and of the pages after)
    return new Page(type, kept, req.withVisibility(callers.visibility()), search.maxPk(), null, false);
  }

  private static boolean isStrict(String prefer) {
    if (prefer == null) {
      return false;
    }
    for (String part : prefer.split("[,;]")) {
      if (part.trim().equalsIgnoreCase("handling=strict")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A later page, for a link whose signature the paging provider has checked: {@code pageCursor} is
   * "first", or n/p and the position. The query is parsed again, so _count is held to the limit in
   * force now.
   */
  /** The types a signed search link searches: its type, or a system search's {@code _type} ("*" for all). */
  static List<String> typesOf(String searchId) {
    String[] f = decode(searchId.substring(PREFIX.length()));
    if (f.length < 3) {
      throw LinkSigner.damaged();
    }
    if (!f[0].isEmpty()) {
      return List.of(f[0]);
    }
    String[] asked = parseQuery(f[2]).get("_type");
    List<String> types = new java.util.ArrayList<>();
    for (String v : asked == null ? new String[0] : asked) {
      for (String t : v.split(",")) {
        if (!t.isBlank()) {
          types.add(t.trim());
        }
      }
    }
    return types.isEmpty() ? List.of("*") : types;
  }

  public IBundleProvider page(String searchId, String pageCursor) {
    String[] f = decode(searchId.substring(PREFIX.length()));
    if (f.length < 3) {
      throw LinkSigner.damaged();
    }
    String type = f[0].isEmpty() ? null : f[0];
    long maxPk;
    try {
      maxPk = Long.parseLong(f[1]);
    } catch (NumberFormatException e) {
      throw LinkSigner.damaged();
    }
    Map<String, String[]> params = parseQuery(f[2]);
    SearchRequest req = SearchRequest.from(type, params, props.getLimits().getDefaultPageSize(),
        props.getLimits().getMaxPageSize());
    boolean first = pageCursor == null || pageCursor.length() < 2 || FIRST.equals(pageCursor);
    boolean backwards = !first && pageCursor.startsWith("p");
    List<String> cursor = first ? null : List.of(decode(pageCursor.substring(1)));
    // whoever follows the link: its own organisation, not the first page's reader's
    return new Page(type, params, req.withVisibility(callers.visibility()), maxPk, cursor, backwards);
  }

  private static final String FIRST = "first";

  /** One page of a search. */
  final class Page implements IBundleProvider {
    private final String type;
    private final Map<String, String[]> params;
    private final SearchRequest req;
    private final long maxPk;
    private final List<String> cursor;
    private final boolean backwards;
    private List<IBaseResource> resources;
    private String nextPageId;
    private String previousPageId;
    private Integer total;

    Page(String type, Map<String, String[]> params, SearchRequest req, long maxPk, List<String> cursor,
        boolean backwards) {
      this.type = type;
      this.params = params;
      this.req = req;
      this.maxPk = maxPk;
      this.cursor = cursor;
      this.backwards = backwards;
    }

    private void load() {
      if (resources != null) {
        return;
      }
      boolean countOnly = isSummaryCount();
      // _count=0 is _summary=count (R4 search 3.1.1.5.6): the total, no entries
      if ("accurate".equals(req.total()) || countOnly || req.count() == 0) {
        total = (int) search.count(req, maxPk);
      } else if ("estimate".equals(req.total())) {
        total = (int) search.estimate(req, maxPk);
      }
      if (countOnly || req.count() == 0) {
        resources = List.of();
        return;
      }
      List<PageRow> page = search.page(req, maxPk, cursor, backwards, req.count() + 1);
      boolean more = page.size() > req.count();
      if (more) {
        page = new ArrayList<>(page.subList(0, req.count()));
      }
      if (backwards) {
        java.util.Collections.reverse(page);
      }
      if (!page.isEmpty()) {
        // going forward, "more" means a next page; going back, it means a previous one
        boolean hasNext = backwards ? true : more;
        boolean hasPrevious = backwards ? more : cursor != null;
        if (hasNext) nextPageId = signer.sign(getUuid(), "n" + encodeCursor(page.get(page.size() - 1)));
        if (hasPrevious) previousPageId = signer.sign(getUuid(), "p" + encodeCursor(page.get(0)));
      }
      List<Long> pks = page.stream().map(PageRow::resPk).toList();
      resources = new ArrayList<>(load(pks, BundleEntrySearchModeEnum.MATCH));
      if (!req.includes().isEmpty() || !req.revIncludes().isEmpty()) {
        int max = props.getLimits().getMaxIncludes();
        SearchService.Included extra = search.includes(pks, req.includes(), req.revIncludes(), max, req.visibility());
        resources.addAll(load(new ArrayList<>(extra.keys()), BundleEntrySearchModeEnum.INCLUDE));
        if (!extra.complete()) {
          resources.add(includesCutShort(max));
        }
      }
    }

    /** The page says, in an outcome entry, that it does not carry everything _include asked for. */
    private IBaseResource includesCutShort(int max) {
      org.hl7.fhir.r4.model.OperationOutcome oo = new org.hl7.fhir.r4.model.OperationOutcome();
      oo.addIssue().setSeverity(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.WARNING)
          .setCode(org.hl7.fhir.r4.model.OperationOutcome.IssueType.TOOCOSTLY)
          .setDiagnostics("_include/_revinclude found more than " + max + " resources for this page; only " + max
              + " are included (radbridge.limits.max-includes). Ask for fewer matches per page (_count) or"
              + " narrower includes.");
      ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(oo, BundleEntrySearchModeEnum.OUTCOME);
      return oo;
    }

    private boolean isSummaryCount() {
      String[] s = params.get("_summary");
      return s != null && s.length > 0 && "count".equals(s[0]);
    }

    private List<IBaseResource> load(List<Long> pks, BundleEntrySearchModeEnum mode) {
      Map<Long, StoredVersion> byPk = new HashMap<>();
      for (StoredVersion v : rows.readCurrentByPk(pks)) {
        byPk.put(v.resPk(), v);
      }
      List<StoredVersion> ordered = new ArrayList<>();
      for (Long pk : pks) {
        StoredVersion v = byPk.get(pk);
        if (v != null && !v.deleted()) {
          ordered.add(v);
        }
      }
      List<IBaseResource> out = reader.toResources(ordered);
      for (IBaseResource r : out) {
        ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(r, mode);
      }
      return out;
    }

    private String encodeCursor(PageRow row) {
      List<String> values = new ArrayList<>(row.sortValues());
      values.add(Long.toString(row.resPk()));
      return encode(values.toArray(new String[0]));
    }

    @Override
    public List<IBaseResource> getResources(int from, int to) {
      load();
      return resources;
    }

    @Override
    public String getUuid() {
      return PREFIX + encode(type == null ? "" : type, Long.toString(maxPk), toQuery(params));
    }

    @Override
    public String getCurrentPageId() {
      return signer.sign(getUuid(), cursor == null ? FIRST : (backwards ? "p" : "n") + encode(cursor.toArray(new String[0])));
    }

    @Override
    public String getNextPageId() {
      load();
      return nextPageId;
    }

    @Override
    public String getPreviousPageId() {
      load();
      return previousPageId;
    }

    @Override
    public IPrimitiveType<Date> getPublished() {
      return InstantType.withCurrentTime();
    }

    @Override
    public Integer preferredPageSize() {
      return req.count();
    }

    @Override
    public Integer size() {
      load();
      return total;
    }
  }

  /** Base64url of the strings, each encoded on its own and joined by '.' so any content is safe. */
  static String encode(String... values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) sb.append('.');
      sb.append(Base64.getUrlEncoder().withoutPadding().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
    }
    return sb.toString();
  }

  static String[] decode(String s) {
    try {
      String[] parts = s.split("\\.", -1);
      String[] out = new String[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = new String(Base64.getUrlDecoder().decode(parts[i]), StandardCharsets.UTF_8);
      }
      return out;
    } catch (IllegalArgumentException e) {
      throw LinkSigner.damaged();
    }
  }

  private static String toQuery(Map<String, String[]> params) {
    StringBuilder sb = new StringBuilder();
    for (var e : params.entrySet()) {
      if (e.getKey().equals("_getpages") || e.getKey().equals("_pageId") || e.getKey().equals("_bundletype")) {
        continue;
      }
      for (String v : e.getValue()) {
        if (sb.length() > 0) sb.append('&');
        sb.append(java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  private static Map<String, String[]> parseQuery(String q) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    Map<String, String[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.toArray(new String[0])));
    return out;
  }
}
