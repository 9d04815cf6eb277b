package org.radbridge.server.write;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.patch.FhirPatch;
import ca.uhn.fhir.jpa.patch.JsonPatchUtils;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseParameters;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.search.ResourceIndexer;
import org.radbridge.server.store.IndexRows;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.search.SearchService;
import org.radbridge.server.store.ResourceRows.CurrentRow;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The write pipeline: every channel (REST, bundles, DICOM, HL7 v2, operations) ends here. It
 * resolves the write (conditional criteria under their lock, If-Match, If-None-Exist), runs the
 * {@link WritePhase#GUARD}, {@link WritePhase#PREPARE} and {@link WritePhase#VALIDATE} hooks,
 * stores id, version, meta, rows and index rows in one statement, runs the
 * {@link WritePhase#PRE_COMMIT} hooks in the same transaction and the {@link WritePhase#AFTER_COMMIT}
 * ones after it. It knows no feature: features register {@link WriteHook}s.
 */
@Service
public class ResourceWriter {
  private static final int UPDATE_RETRIES = 5;

  private final FhirContext ctx;
  private final ResourceRows rows;
  private final ResourceIndexer indexer;
  private final SearchService search;
  private final TransactionTemplate tx;
  private final WriteHooks hooks;

  public ResourceWriter(FhirContext ctx, ResourceRows rows, ResourceIndexer indexer, SearchService search,
      TransactionTemplate tx, WriteHooks hooks) {
    this.ctx = ctx;
    this.rows = rows;
    this.indexer = indexer;
    this.search = search;
    this.tx = tx;
    this.hooks = hooks;
  }

  /**
   * What a write did: the resource as stored (null after a delete), whether it was created or
   * changed, and the validation warnings it was written with.
   */
  public record WriteOutcome(IBaseResource resource, IIdType id, boolean created, boolean changed,
      List<OperationOutcome.OperationOutcomeIssueComponent> warnings) {
    public WriteOutcome(IBaseResource resource, IIdType id, boolean created, boolean changed) {
      this(resource, id, created, changed, List.of());
    }
  }

  /** The one entry of every write: REST, bundles and every channel describe it as a {@link WriteRequest}. */
  public WriteOutcome write(WriteRequest r) {
    Caller c = r.caller();
    return switch (r.operation()) {
      case CREATE -> {
        guard(r.type(), r.id(), WriteEvent.Operation.CREATE, r.resource(), c);
        yield r.criteria() != null ? create(r.resource(), r.criteria(), c)
            : r.id() != null ? tx.execute(s -> insertOrFail(r.type(), r.id(), r.resource(), WriteEvent.Operation.CREATE, c))
            : tx.execute(s -> insertOrFail(r.type(), newId(), r.resource(), WriteEvent.Operation.CREATE, c));
      }
      case UPDATE -> r.criteria() != null ? conditionalUpdate(r.type(), r.criteria(), stored -> r.resource(), r.ifMatch(), c)
          : update(r.type(), r.id(), r.resource(), r.ifMatch(), c);
      case PATCH -> r.criteria() != null ? conditionalPatch(r.type(), r.criteria(), r.patchType(), r.patchBody(), r.ifMatch(), c)
          : patch(r.type(), r.id(), r.patchType(), r.patchBody(), r.ifMatch(), c);
      case DELETE -> r.criteria() != null ? conditionalDelete(r.type(), r.criteria(), c) : delete(r.type(), r.id(), r.ifMatch(), c);
    };
  }

  // ---- create -------------------------------------------------------------------------------

  /**
   * Conditional create: the one match, or a new resource when none matches; several are a 412.
   * Exactly once under concurrency (see {@link #lockAndMatch}).
   */
  private WriteOutcome create(IBaseResource resource, SearchCriteria ifNoneExist, Caller caller) {
    String type = ctx.getResourceType(resource);
    return tx.execute(s -> {
      Optional<WriteOutcome> existing = current(lockAndMatch(type, ifNoneExist, "If-None-Exist"), type);
      return existing.orElseGet(() -> insertOrFail(type, newId(), resource, WriteEvent.Operation.CREATE, caller));
    });
  }

  /**
   * Takes the lock a conditional write with these criteria takes, without looking for matches: for
   * a channel that names one resource by several numbers and must exclude writers naming it by any
   * one of them. Held until the caller's transaction ends; must run inside one.
   */
  public void lock(String type, SearchCriteria criteria) {
    rows.lockKey(conditionalLockKey(type, criteria));
  }

  /**
   * The one implementation of conditional resolution, for REST, bundles and every channel: takes
   * the transaction-scoped advisory lock of (type, canonical criteria) and then looks for matches
   * (at most two: "one" or "several"). The lock is held until the caller's transaction ends and
   * PostgreSQL shares it between nodes, so concurrent writes with the same criteria run one after
   * the other and each sees what the one before it committed: exactly one resource, never two.
   * Must run inside a transaction.
   */
  private List<SearchService.Match> lockAndMatch(String type, SearchCriteria criteria, String what) {
    if (criteria.isEmpty()) {
      throw new InvalidRequestException(what + " needs search criteria");
    }
    rows.lockKey(conditionalLockKey(type, criteria));
    List<SearchService.Match> matches = search.match(type, criteria, 2);
    if (matches.size() > 1) {
      throw new PreconditionFailedException(what + " criteria '" + criteria.canonical() + "' match more than one "
          + type + "; nothing was written");
    }
    return matches;
  }

  private static String conditionalLockKey(String type, SearchCriteria criteria) {
    return "conditional:" + type + "?" + criteria.canonical();
  }

  /** The stored current version of the (at most one) match, as a write that changed nothing. */
  private Optional<WriteOutcome> current(List<SearchService.Match> matches, String type) {
    return matches.isEmpty() ? Optional.empty() : current(type, matches.get(0).resId());
  }

  private Optional<WriteOutcome> current(String type, String id) {
    return rows.readCurrent(type, id).filter(v -> !v.deleted()).map(v -> {
      IBaseResource r = parse(v);
      return new WriteOutcome(r, r.getIdElement(), false, false);
    });
  }

  /** Inserts version 1; null when (type, id) appeared meanwhile (nothing was written then). */
  private WriteOutcome insert(String type, String id, IBaseResource resource, WriteEvent.Operation operation,
      Caller caller) {
    WriteEvent event = new WriteEvent(type, id, operation, null, resource, caller);
    beforeStore(event);
    Instant now = now();
    stamp(resource, type, id, 1, now);
    String content = encode(resource);
    IndexRows index = indexer.index(resource);
    Optional<Long> pk = rows.insertNew(type, id, now, content, index,
        new org.radbridge.server.store.Readers(event.ownReaders(), event.readers()));
    if (pk.isEmpty()) {
      return null;
    }
    event.stored(pk.get(), index);
    hooks.stored(event);
    return new WriteOutcome(resource, resource.getIdElement(), true, true, event.warnings());
  }

  /** PREPARE then VALIDATE: features complete, refuse or warn before anything is written. */
  private void beforeStore(WriteEvent event) {
    hooks.run(WritePhase.PREPARE, event);
    hooks.run(WritePhase.VALIDATE, event);
  }

  /** GUARD: features refuse a write that may not happen at all (e.g. to a shipped resource). */
  private void guard(String type, String id, WriteEvent.Operation operation, IBaseResource resource, Caller caller) {
    hooks.run(WritePhase.GUARD, new WriteEvent(type, id, operation, null, resource, caller));
  }

  /**
   * Stores a resource the server loads itself at start (shipped conformance resources, ConceptMaps
   * from CSV) under its own id: created when absent, a new version when its content differs from
   * the stored one, untouched otherwise. Shipped resources are written only this way.
   */
  public WriteOutcome putIfChanged(IBaseResource resource, Caller caller) {
    String type = ctx.getResourceType(resource);
    String id = resource.getIdElement().getIdPart();
    try {
      return tx.execute(s -> putIfChangedOnce(type, id, resource, caller));
    } catch (PreconditionFailedException e) {
      // another node created it at the same moment: compare with what it wrote
      return tx.execute(s -> putIfChangedOnce(type, id, resource, caller));
    }
  }

  private WriteOutcome putIfChangedOnce(String type, String id, IBaseResource resource, Caller caller) {
    Optional<CurrentRow> current = rows.lockCurrent(type, id);
    if (current.isEmpty()) {
      return insertOrFail(type, id, resource, WriteEvent.Operation.LOAD, caller);
    }
    StoredVersion stored = rows.readCurrent(type, id).orElseThrow();
    if (!stored.deleted() && sameContent(parse(stored), resource)) {
      return new WriteOutcome(parse(stored), new IdType(type, id, String.valueOf(stored.versionId())), false, false);
    }
    return writeNewVersion(type, id, current.get(), resource, WriteEvent.Operation.LOAD, caller);
  }

  private static boolean sameContent(IBaseResource a, IBaseResource b) {
    Resource x = ((Resource) a).copy();
    Resource y = ((Resource) b).copy();
    x.setMeta(null);
    y.setMeta(null);
    x.setIdElement(null);
    y.setIdElement(null);
    return x.equalsDeep(y);
  }

  private WriteOutcome insertOrFail(String type, String id, IBaseResource resource, WriteEvent.Operation operation,
      Caller caller) {
    WriteOutcome o = insert(type, id, resource, operation, caller);
    if (o == null) {
      throw new PreconditionFailedException(type + "/" + id + " already exists");
    }
    return o;
  }

  // ---- bundles ------------------------------------------------------------------------------

  /**
   * For a transaction bundle, which resolves all its conditional entries before it writes any:
   * locks the criteria (as every conditional write does) and returns the one match, if any; several
   * are a 412. The bundle takes its locks in a sorted order so two bundles cannot deadlock.
   */
  public Optional<String> lockAndFindId(String type, SearchCriteria criteria, String what) {
    return lockAndMatch(type, criteria, what).stream().findFirst().map(SearchService.Match::resId);
  }

  /** For a transaction bundle: the current version of a match found by {@link #lockAndFindId}. */
  public Optional<WriteOutcome> readMatch(String type, String id) {
    return current(type, id);
  }

  // ---- update -------------------------------------------------------------------------------

  /** Update (or create with the client's id). {@code ifMatch} is the version the client last saw. */
  private WriteOutcome update(String type, String id, IBaseResource resource, Integer ifMatch, Caller caller) {
    checkBody(type, id, resource);
    guard(type, id, WriteEvent.Operation.UPDATE, resource, caller);
    for (int attempt = 0; attempt < UPDATE_RETRIES; attempt++) {
      WriteOutcome o = tx.execute(s -> {
        Optional<CurrentRow> current = rows.lockCurrent(type, id);
        if (current.isEmpty()) {
          if (ifMatch != null) {
            throw new PreconditionFailedException("If-Match: " + type + "/" + id + " does not exist");
          }
          return insert(type, id, resource, WriteEvent.Operation.CREATE, caller);
        }
        CurrentRow c = current.get();
        checkVersion(type, id, c, ifMatch);
        return writeNewVersion(type, id, c, resource, WriteEvent.Operation.UPDATE, caller);
      });
      if (o != null) {
        return o;
      }
    }
    throw new PreconditionFailedException("Update of " + type + "/" + id + " could not settle; retry");
  }

  /**
   * Conditional update whose body depends on what is stored: {@code shape} gets the current match
   * (null when none) and returns what to write — an HL7 order control merged into the stored order,
   * say — all under the criteria's lock, so no concurrent write slips in between.
   */
  public WriteOutcome conditionalUpdate(String type, SearchCriteria criteria,
      java.util.function.Function<IBaseResource, IBaseResource> shape, Integer ifMatch, Caller caller) {
    guard(type, null, WriteEvent.Operation.UPDATE, null, caller);
    return tx.execute(s -> {
      List<SearchService.Match> matches = lockAndMatch(type, criteria, "Conditional update");
      IBaseResource stored = current(matches, type).map(WriteOutcome::resource).orElse(null);
      IBaseResource resource = shape.apply(stored);
      String bodyId = resource.getIdElement().getIdPart();
      if (matches.isEmpty()) {
        if (bodyId != null && !bodyId.isEmpty()) {
          return update(type, bodyId, resource, ifMatch, caller);
        }
        guard(type, null, WriteEvent.Operation.CREATE, resource, caller);
        return insertOrFail(type, newId(), resource, WriteEvent.Operation.CREATE, caller);
      }
      String matchId = matches.get(0).resId();
      if (bodyId != null && !bodyId.isEmpty() && !bodyId.equals(matchId)) {
        throw new InvalidRequestException("Resource id '" + bodyId + "' does not match the id '" + matchId
            + "' of the resource found by the conditional update criteria");
      }
      resource.setId(new IdType(type, matchId));
      return update(type, matchId, resource, ifMatch, caller);
    });
  }

  private WriteOutcome writeNewVersion(String type, String id, CurrentRow c, IBaseResource resource,
      WriteEvent.Operation operation, Caller caller) {
    // hooks compare versions (an order routed elsewhere, a report become final)
    StoredVersion stored = rows.readCurrent(type, id).orElse(null);
    IBaseResource previous = stored == null || stored.deleted() ? null : parse(stored);
    WriteEvent event = new WriteEvent(type, id, operation, previous, resource, caller);
    beforeStore(event);
    int version = c.versionId() + 1;
    Instant now = now();
    stamp(resource, type, id, version, now);
    String content = encode(resource);
    IndexRows index = indexer.index(resource);
    rows.writeVersion(c.resPk(), version, now, operation == WriteEvent.Operation.PATCH ? "PATCH" : "PUT", content,
        type, index, new org.radbridge.server.store.Readers(event.ownReaders(), event.readers()));
    event.stored(c.resPk(), index);
    hooks.stored(event);
    return new WriteOutcome(resource, resource.getIdElement(), c.deleted(), true, event.warnings());
  }

  // ---- patch --------------------------------------------------------------------------------

  private WriteOutcome patch(String type, String id, PatchTypeEnum patchType, String body, Integer ifMatch,
      Caller caller) {
    guard(type, id, WriteEvent.Operation.PATCH, null, caller);
    return tx.execute(s -> {
      CurrentRow c = rows.lockCurrent(type, id)
          .orElseThrow(() -> new ResourceNotFoundException(new IdType(type, id)));
      if (c.deleted()) {
        throw new ResourceGoneException("Resource " + type + "/" + id + " is deleted");
      }
      checkVersion(type, id, c, ifMatch);
      StoredVersion current = rows.readCurrent(type, id).orElseThrow();
      IBaseResource resource = parse(current);
      IBaseResource patched = applyPatch(resource, patchType, body);
      if (!type.equals(ctx.getResourceType(patched)) || !id.equals(patched.getIdElement().getIdPart())) {
        throw new UnprocessableEntityException("A patch must not change the resource type or id");
      }
      return writeNewVersion(type, id, c, patched, WriteEvent.Operation.PATCH, caller);
    });
  }

  private WriteOutcome conditionalPatch(String type, SearchCriteria criteria, PatchTypeEnum patchType, String body,
      Integer ifMatch, Caller caller) {
    return tx.execute(s -> {
      List<SearchService.Match> matches = lockAndMatch(type, criteria, "Conditional patch");
      if (matches.isEmpty()) {
        throw new ResourceNotFoundException("Conditional patch criteria '" + criteria.canonical() + "' match no " + type);
      }
      return patch(type, matches.get(0).resId(), patchType, body, ifMatch, caller);
    });
  }

  private IBaseResource applyPatch(IBaseResource resource, PatchTypeEnum patchType, String body) {
    if (body == null || body.isBlank()) {
      throw new InvalidRequestException("Patch body is empty");
    }
    try {
      switch (patchType) {
        case JSON_PATCH:
          JsonPatchShape.requireValid(body);
          return JsonPatchUtils.apply(ctx, resource, body);
        case FHIR_PATCH_JSON:
        case FHIR_PATCH_XML: {
          IBaseResource params = patchType == PatchTypeEnum.FHIR_PATCH_JSON
              ? ctx.newJsonParser().parseResource(body)
              : ctx.newXmlParser().parseResource(body);
          if (!(params instanceof IBaseParameters)) {
            throw new InvalidRequestException("FHIRPath Patch body must be a Parameters resource, not "
                + ctx.getResourceType(params));
          }
          new FhirPatch(ctx).apply(resource, params);
          return resource;
        }
        default:
          throw new InvalidRequestException("Patch type " + patchType + " is not supported;"
              + " use application/json-patch+json or a FHIRPath Patch Parameters resource");
      }
    } catch (DataFormatException e) {
      throw new InvalidRequestException("Patch could not be applied: " + e.getMessage());
    }
  }

  // ---- delete -------------------------------------------------------------------------------

  /** Soft delete: a new version marks the resource deleted; history is kept. */
  private WriteOutcome delete(String type, String id, Integer ifMatch, Caller caller) {
    guard(type, id, WriteEvent.Operation.DELETE, null, caller);
    return tx.execute(s -> {
      CurrentRow c = rows.lockCurrent(type, id)
          .orElseThrow(() -> new ResourceNotFoundException(new IdType(type, id)));
      checkVersion(type, id, c, ifMatch);
      if (c.deleted()) {
        return new WriteOutcome(null, new IdType(type, id, String.valueOf(c.versionId())), false, false);
      }
      int version = c.versionId() + 1;
      StoredVersion before = rows.readCurrent(type, id).orElse(null);
      rows.writeVersion(c.resPk(), version, now(), "DELETE", null, type, null, null);
      WriteEvent event = new WriteEvent(type, id, WriteEvent.Operation.DELETE,
          before == null || before.deleted() ? null : parse(before), null, caller);
      event.stored(c.resPk(), null);
      hooks.stored(event);
      return new WriteOutcome(null, new IdType(type, id, String.valueOf(version)), false, true);
    });
  }

  /** Conditional delete: one match is deleted, none is a no-op, several are refused. */
  private WriteOutcome conditionalDelete(String type, SearchCriteria criteria, Caller caller) {
    return tx.execute(s -> {
      List<SearchService.Match> matches = lockAndMatch(type, criteria, "Conditional delete");
      if (matches.isEmpty()) {
        return new WriteOutcome(null, null, false, false);
      }
      return delete(type, matches.get(0).resId(), null, caller);
    });
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void checkBody(String type, String id, IBaseResource resource) {
    String bodyType = ctx.getResourceType(resource);
    if (!type.equals(bodyType)) {
      throw new InvalidRequestException("Resource type '" + bodyType + "' in the body does not match '" + type
          + "' in the URL");
    }
    String bodyId = resource.getIdElement().getIdPart();
    if (bodyId == null || bodyId.isEmpty()) {
      throw new InvalidRequestException("Update needs the resource id in the body (Resource.id), matching the URL");
    }
    if (!bodyId.equals(id)) {
      throw new InvalidRequestException("Resource id '" + bodyId + "' in the body does not match id '" + id
          + "' in the URL");
    }
  }

  private static void checkVersion(String type, String id, CurrentRow c, Integer ifMatch) {
    if (ifMatch != null && ifMatch != c.versionId()) {
      throw new PreconditionFailedException("If-Match: version " + ifMatch + " of " + type + "/" + id
          + " is not the current version " + c.versionId());
    }
  }

  private void stamp(IBaseResource resource, String type, String id, int version, Instant lastUpdated) {
    resource.setId(new IdType(type, id, String.valueOf(version)));
    resource.getMeta().setVersionId(String.valueOf(version));
    resource.getMeta().setLastUpdated(Date.from(lastUpdated));
  }

  private String encode(IBaseResource resource) {
    return ctx.newJsonParser().encodeResourceToString(resource);
  }

  /** Parses stored JSON (written by us, so the lenient default handler is fine). */
  IBaseResource parse(StoredVersion v) {
    return ResourceReader.parseStored(ctx, v);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
