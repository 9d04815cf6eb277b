package org.radbridge.server.bundle;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleEntryResponseComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.server.write.ResourceWriter.WriteOutcome;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Batch and transaction bundles (FHIR R4 3.1.0.11). A transaction runs every entry through the one
 * write path inside one database transaction, in the order R4 prescribes (DELETE, POST, PUT,
 * PATCH, GET), after giving each created entry its id and rewriting the references to it; any
 * failure rolls all of it back and names the entry. A batch runs each entry on its own.
 */
@Service
public class BundleProcessor {
  private final FhirContext ctx;
  private final ResourceWriter writer;
  private final ResourceReader reader;
  private final SearchService search;
  private final TransactionTemplate tx;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BundleProcessor.class);
  private final RadBridgeProperties props;
  private final ReferenceRewriter rewriter;
  /** Who a bundle's entries act for: the request's caller (its token). */
  private final org.radbridge.server.security.RestCallers callers;
  private final org.radbridge.server.security.RestScopeCheck scopes;
  // the REST layer's search paging, which itself sits above bundles
  private final org.springframework.beans.factory.ObjectProvider<EntrySearch> entrySearch;

  public BundleProcessor(FhirContext ctx, ResourceWriter writer, ResourceReader reader, SearchService search,
      TransactionTemplate tx, RadBridgeProperties props,
      org.springframework.beans.factory.ObjectProvider<EntrySearch> entrySearch,
      org.radbridge.server.security.RestCallers callers, org.radbridge.server.security.RestScopeCheck scopes) {
    this.callers = callers;
    this.scopes = scopes;
    this.entrySearch = entrySearch;
    this.ctx = ctx;
    this.writer = writer;
    this.reader = reader;
    this.search = search;
    this.tx = tx;
    this.props = props;
    this.rewriter = new ReferenceRewriter(ctx);
  }

  /** One entry's request, parsed. */
  static final class Op {
    final int index;
    final BundleEntryComponent entry;
    final HTTPVerb method;
    final String type;
    final String id;
    final String version;
    final String query;
    /** The conditional criteria: If-None-Exist of a POST, the query of a PUT, PATCH or DELETE without id. */
    final SearchCriteria criteria;
    String assignedId;
    /** The one resource the criteria matched (null: none), found under the criteria's lock. */
    String matchId;
    WriteOutcome existing;
    BundleEntryComponent response;

    Op(int index, BundleEntryComponent entry, HTTPVerb method, String type, String id, String version, String query) {
      this.index = index;
      this.entry = entry;
      this.method = method;
      this.type = type;
      this.id = id;
      this.version = version;
      this.query = query;
      if (method == HTTPVerb.POST && entry.getRequest().hasIfNoneExist()) {
        this.criteria = SearchCriteria.parse(entry.getRequest().getIfNoneExist());
      } else if (id == null && query != null && method != HTTPVerb.GET && method != HTTPVerb.POST) {
        this.criteria = SearchCriteria.parse(query);
      } else {
        this.criteria = null;
      }
    }

    String conditionalName() {
      return switch (method) {
        case POST -> "ifNoneExist";
        case PUT -> "Conditional update";
        case PATCH -> "Conditional patch";
        default -> "Conditional delete";
      };
    }

    String describe() {
      return "Bundle.entry[" + index + "] (" + method + " " + entry.getRequest().getUrl() + ")";
    }
  }

  /** Processes a transaction or batch bundle and returns its response bundle. */
  public Bundle process(Bundle bundle, RequestDetails request) {
    if (bundle.getType() != Bundle.BundleType.TRANSACTION && bundle.getType() != Bundle.BundleType.BATCH) {
      throw new InvalidRequestException("POST to the base URL takes a Bundle of type transaction or batch, not "
          + (bundle.hasType() ? bundle.getType().toCode() : "(no type)"));
    }
    int max = props.getLimits().getMaxBundleEntries();
    if (bundle.getEntry().size() > max) {
      throw new PayloadTooLargeException("Bundle has " + bundle.getEntry().size() + " entries; at most " + max
          + " are accepted");
    }
    boolean minimal = isReturnMinimal(request);
    return bundle.getType() == Bundle.BundleType.TRANSACTION ? transaction(bundle, request, minimal)
        : batch(bundle, request, minimal);
  }

  // ---- transaction --------------------------------------------------------------------------

  private Bundle transaction(Bundle bundle, RequestDetails request, boolean minimal) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < bundle.getEntry().size(); i++) {
      ops.add(parse(i, bundle.getEntry().get(i)));
    }
    return tx.execute(status -> {
      Map<String, String> fullUrlToId = assignIds(ops);
      for (Op op : ops) {
        IBaseResource r = op.entry.getResource();
        if (r != null) {
          guard(op, () -> {
            rewriter.rewrite(r, fullUrlToId);
            resolveConditionalReferences(r);
          });
        }
      }
      for (HTTPVerb verb : List.of(HTTPVerb.DELETE, HTTPVerb.POST, HTTPVerb.PUT, HTTPVerb.PATCH, HTTPVerb.GET)) {
        for (Op op : ops) {
          if (op.method == verb) {
            guard(op, () -> op.response = execute(op, request, minimal));
          }
        }
      }
      Bundle out = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
      out.setId(UUID.randomUUID().toString());
      ops.forEach(op -> out.addEntry(op.response));
      return out;
    });
  }

  /**
   * Gives every created entry its id before anything is written, so references between entries
   * can be rewritten: a conditional entry takes its match's id (found under the criteria's advisory
   * lock, held to commit, taken in sorted order so two bundles cannot deadlock), others a new UUID;
   * PUT entries map their fullUrl to their URL.
   */
  private Map<String, String> assignIds(List<Op> ops) {
    Map<String, String> map = new HashMap<>();
    List<Op> conditional = ops.stream().filter(op -> op.criteria != null)
        .sorted(Comparator.comparing(op -> op.type + "?" + op.criteria.canonical())).toList();
    for (Op op : conditional) {
      guard(op, () -> resolveConditional(op));
    }
    for (Op op : ops) {
      guard(op, () -> {
        assignId(op);
        if (op.assignedId != null && op.entry.hasFullUrl()) {
          String full = op.entry.getFullUrl();
          if (full.startsWith("urn:uuid:") || full.startsWith("urn:oid:")) {
            if (map.put(full, op.type + "/" + op.assignedId) != null) {
              throw new InvalidRequestException("fullUrl " + full + " appears on more than one entry");
            }
          }
        }
      });
    }
    return map;
  }

  /** Locks the entry's criteria and finds its match, through the writer's one conditional implementation. */
  private void resolveConditional(Op op) {
    op.matchId = writer.lockAndFindId(op.type, op.criteria, op.conditionalName()).orElse(null);
    if (op.method == HTTPVerb.POST && op.matchId != null) {
      op.existing = writer.readMatch(op.type, op.matchId).orElse(null);
    }
  }

  /** The id a POST or PUT entry will write: its match, the URL's or body's id, or a new one. */
  private static void assignId(Op op) {
    if (op.method == HTTPVerb.POST) {
      op.assignedId = op.existing != null ? op.existing.id().getIdPart() : UUID.randomUUID().toString();
    } else if (op.method == HTTPVerb.PUT) {
      if (op.id != null) {
        op.assignedId = op.id;
      } else if (op.matchId != null) {
        op.assignedId = op.matchId;
      } else {
        IBaseResource r = op.entry.getResource();
        op.assignedId = r != null && r.getIdElement().hasIdPart() && !r.getIdElement().getIdPart().startsWith("urn")
            ? r.getIdElement().getIdPart() : UUID.randomUUID().toString();
      }
    }
  }

  /** "Patient?identifier=sys|1" references become the one matching resource. */
  private void resolveConditionalReferences(IBaseResource resource) {
    for (Reference ref : ctx.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
      String target = ref.getReference();
      if (target == null || !target.contains("?") || target.startsWith("#")) {
        continue;
      }
      String type = target.substring(0, target.indexOf('?'));
      if (!ctx.getResourceTypes().contains(type)) {
        throw new InvalidRequestException("Conditional reference '" + target + "' names no resource type");
      }
      var matches = search.match(type, SearchCriteria.parse(target), 2);
      if (matches.isEmpty()) {
        throw new PreconditionFailedException("Conditional reference '" + target + "' matches no " + type);
      }
      if (matches.size() > 1) {
        throw new PreconditionFailedException("Conditional reference '" + target + "' matches more than one " + type);
      }
      ref.setReference(type + "/" + matches.get(0).resId());
    }
  }

  private BundleEntryComponent execute(Op op, RequestDetails request, boolean minimal) {
    switch (op.method) {
      case POST -> {
        if (op.existing != null) {
          return written(op.existing, "200 OK", minimal);
        }
        return written(writer.write(WriteRequest.createWithId(op.assignedId, resourceOf(op), callers.current())), "201 Created",
            minimal);
      }
      case PUT -> {
        IBaseResource r = resourceOf(op);
        r.setId(new IdType(op.type, op.assignedId));
        Integer ifMatch = ifMatch(op);
        if (op.entry.getRequest().hasIfNoneMatch()) {
          if (reader.exists(op.type, op.assignedId)) {
            throw new PreconditionFailedException("ifNoneMatch: " + op.type + "/" + op.assignedId + " already exists");
          }
        }
        WriteOutcome o = writer.write(WriteRequest.update(op.type, op.assignedId, r, ifMatch, callers.current()));
        return written(o, o.created() ? "201 Created" : "200 OK", minimal);
      }
      case PATCH -> {
        IBaseResource body = op.entry.getResource();
        String id = op.id != null ? op.id : requireMatch(op);
        WriteOutcome o;
        if (body instanceof Binary bin) {
          if (!bin.hasData()) {
            throw new InvalidRequestException("a PATCH entry's Binary carries the JSON Patch in Binary.data, which is empty");
          }
          o = writer.write(WriteRequest.patch(op.type, id, PatchTypeEnum.JSON_PATCH,
              new String(bin.getData(), java.nio.charset.StandardCharsets.UTF_8), ifMatch(op), callers.current()));
        } else if (body instanceof Parameters) {
          o = writer.write(WriteRequest.patch(op.type, id, PatchTypeEnum.FHIR_PATCH_JSON,
              ctx.newJsonParser().encodeResourceToString(body), ifMatch(op), callers.current()));
        } else {
          throw new InvalidRequestException("a PATCH entry carries a Binary (JSON Patch) or a Parameters (FHIRPath Patch)");
        }
        return written(o, "200 OK", minimal);
      }
      case DELETE -> {
        String id = op.id != null ? op.id : op.matchId;
        WriteOutcome o = id != null ? writer.write(WriteRequest.delete(op.type, id, ifMatch(op), callers.current()))
            : new WriteOutcome(null, null, false, false);
        BundleEntryComponent e = new BundleEntryComponent();
        e.getResponse().setStatus("204 No Content");
        if (o.id() != null && o.id().hasVersionIdPart()) {
          e.getResponse().setEtag("W/\"" + o.id().getVersionIdPart() + "\"");
        }
        return e;
      }
      case GET -> {
        return get(op, request);
      }
      default -> throw new InvalidRequestException("method " + op.method + " is not supported in a bundle");
    }
  }

  private static String requireMatch(Op op) {
    if (op.matchId == null) {
      throw new ResourceNotFoundException("conditional patch criteria '" + op.query + "' match no " + op.type);
    }
    return op.matchId;
  }

  private BundleEntryComponent get(Op op, RequestDetails request) {
    BundleEntryComponent e = new BundleEntryComponent();
    scopes.requireForEntry(op.type, op.id != null ? org.radbridge.server.security.SmartScopes.Interaction.READ
        : org.radbridge.server.security.SmartScopes.Interaction.SEARCH);
    if (op.id != null) {
      IBaseResource r = op.version != null ? reader.vread(op.type, op.id, op.version) : reader.read(op.type, op.id);
      e.setResource((Resource) r);
      e.getResponse().setStatus("200 OK").setEtag("W/\"" + r.getMeta().getVersionId() + "\"");
      return e;
    }
    Map<String, String[]> params = new LinkedHashMap<>();
    SearchCriteria.parse(op.query).clauses().forEach(c -> params.merge(c.rawName(),
        new String[] {SearchCriteria.joinValues(c.values())}, (a, b) -> concat(a, b)));
    IBundleProvider page = entrySearch.getObject().firstPage(op.type, params, request);
    Bundle result = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    for (IBaseResource r : page.getResources(0, Integer.MAX_VALUE)) {
      var entry = result.addEntry().setResource((Resource) r);
      if (r.getIdElement().hasIdPart()) {
        entry.setFullUrl(op.type + "/" + r.getIdElement().getIdPart());
      }
    }
    if (page.size() != null) {
      result.setTotal(page.size());
    }
    e.setResource(result);
    e.getResponse().setStatus("200 OK");
    return e;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---- batch --------------------------------------------------------------------------------

  private Bundle batch(Bundle bundle, RequestDetails request, boolean minimal) {
    Bundle out = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
    out.setId(UUID.randomUUID().toString());
    for (int i = 0; i < bundle.getEntry().size(); i++) {
      BundleEntryComponent response;
      try {
        Op op = parse(i, bundle.getEntry().get(i));
        response = tx.execute(status -> {
          if (op.entry.getResource() != null) {
            resolveConditionalReferences(op.entry.getResource());
          }
          if (op.criteria != null) {
            resolveConditional(op);
          }
          assignId(op);
          return execute(op, request, minimal);
        });
      } catch (BaseServerResponseException e) {
        response = e.getStatusCode() >= 500 ? unexpected(i, e, request) : failed(e);
      } catch (RuntimeException e) {
        response = unexpected(i, e, request); // the other entries still run: each is its own transaction
      }
      out.addEntry(response);
    }
    return out;
  }

  /** A server fault in one entry: its answer says only that, with the request id the log carries. */
  private static BundleEntryComponent unexpected(int index, RuntimeException e, RequestDetails request) {
    String id = request == null ? null : request.getRequestId();
    log.error("Request {}: batch entry {} failed", id, index, e);
    return failed(new ca.uhn.fhir.rest.server.exceptions.InternalErrorException(
        "Bundle.entry[" + index + "]: an error occurred; request id " + id));
  }

  private static BundleEntryComponent failed(BaseServerResponseException e) {
    BundleEntryComponent entry = new BundleEntryComponent();
    entry.getResponse().setStatus(e.getStatusCode() + " " + reason(e.getStatusCode()));
    OperationOutcome oo;
    if (e.getOperationOutcome() instanceof OperationOutcome given && given.hasIssue()) {
      oo = given;
    } else {
      oo = new OperationOutcome();
      oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(OperationOutcome.IssueType.PROCESSING)
          .setDiagnostics(e.getMessage());
    }
    entry.getResponse().setOutcome(oo);
    return entry;
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 412 -> "Precondition Failed";
      case 422 -> "Unprocessable Entity";
      case 500 -> "Internal Server Error";
      default -> "Error";
    };
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Runs a step of one entry; a failure names the entry and keeps its HTTP status. */
  private static void guard(Op op, Runnable step) {
    try {
      step.run();
    } catch (BaseServerResponseException e) {
      BaseServerResponseException named = BaseServerResponseException.newInstance(e.getStatusCode(),
          op.describe() + ": " + e.getMessage());
      if (e.getOperationOutcome() instanceof OperationOutcome oo && oo.hasIssue()) {
        // keep every issue (e.g. all validation errors with their locations), the first names the entry
        OperationOutcome copy = oo.copy();
        copy.getIssueFirstRep().setDiagnostics(op.describe() + ": " + copy.getIssueFirstRep().getDiagnostics());
        named.setOperationOutcome(copy);
      }
      throw named;
    }
  }

  private Op parse(int index, BundleEntryComponent entry) {
    String where = "Bundle.entry[" + index + "]";
    if (!entry.hasRequest() || !entry.getRequest().hasMethod() || !entry.getRequest().hasUrl()) {
      throw new InvalidRequestException(where + " has no request.method and request.url");
    }
    HTTPVerb method = entry.getRequest().getMethod();
    String url = entry.getRequest().getUrl();
    EntryUrl parsed = EntryUrl.parse(url, where, ctx.getResourceTypes());
    String type = parsed.type();
    String id = parsed.id();
    String version = parsed.version();
    String query = parsed.query();
    if (version != null && method != HTTPVerb.GET) {
      throw new InvalidRequestException(where + ": only GET may name a version in request.url ('" + url + "')");
    }
    boolean needsResource = method == HTTPVerb.POST || method == HTTPVerb.PUT || method == HTTPVerb.PATCH;
    if (needsResource && !entry.hasResource()) {
      throw new InvalidRequestException(where + " (" + method + " " + url + ") has no resource");
    }
    if ((method == HTTPVerb.POST || method == HTTPVerb.PUT) && !type.equals(entry.getResource().fhirType())) {
      throw new InvalidRequestException(where + ": resource type " + entry.getResource().fhirType()
          + " does not match request.url " + url);
    }
    if (method == HTTPVerb.PUT && id == null && query == null) {
      throw new InvalidRequestException(where + ": PUT needs Type/id or Type?criteria in request.url");
    }
    if ((method == HTTPVerb.DELETE || method == HTTPVerb.PATCH) && id == null && query == null) {
      throw new InvalidRequestException(where + ": " + method + " needs Type/id or Type?criteria in request.url");
    }
    if (method == HTTPVerb.PUT && id != null && entry.getResource().getIdElement().hasIdPart()
        && !entry.getResource().getIdElement().getIdPart().equals(id)) {
      throw new InvalidRequestException(where + ": resource id '" + entry.getResource().getIdElement().getIdPart()
          + "' does not match request.url " + url);
    }
    return new Op(index, entry, method, type, id, version, query);
  }

  private static IBaseResource resourceOf(Op op) {
    return op.entry.getResource();
  }

  private static Integer ifMatch(Op op) {
    if (!op.entry.getRequest().hasIfMatch()) {
      return null;
    }
    String v = op.entry.getRequest().getIfMatch().replace("W/", "").replace("\"", "").trim();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("ifMatch '" + op.entry.getRequest().getIfMatch() + "' names no version");
    }
  }

  private BundleEntryComponent written(WriteOutcome o, String status, boolean minimal) {
    BundleEntryComponent e = new BundleEntryComponent();
    IIdType id = o.id();
    e.setFullUrl(id.toUnqualifiedVersionless().getValue());
    BundleEntryResponseComponent r = e.getResponse();
    r.setStatus(status).setLocation(id.toUnqualified().getValue()).setEtag("W/\"" + id.getVersionIdPart() + "\"");
    if (o.resource() != null && o.resource().getMeta().getLastUpdated() != null) {
      r.setLastModified(o.resource().getMeta().getLastUpdated());
    }
    if (!minimal && o.resource() != null) {
      e.setResource((Resource) o.resource());
    }
    return e;
  }

  private static boolean isReturnMinimal(RequestDetails request) {
    String prefer = request == null ? null : request.getHeader("Prefer");
    return prefer != null && prefer.replace(" ", "").contains("return=minimal");
  }
}
