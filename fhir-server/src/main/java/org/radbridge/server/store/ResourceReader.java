package org.radbridge.server.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.springframework.stereotype.Service;

/** The read side's entry for read, vread and history; search has its own service beside it. */
@Service
public class ResourceReader {
  private final FhirContext ctx;
  private final ResourceRows rows;

  public ResourceReader(FhirContext ctx, ResourceRows rows) {
    this.ctx = ctx;
    this.rows = rows;
  }

  public IBaseResource read(String type, String id) {
    return read(type, id, Visibility.EVERYTHING);
  }

  /** A read by a reader who may see only some resources: one it may not see is not found (404). */
  public IBaseResource read(String type, String id, Visibility visibility) {
    StoredVersion v = rows.readCurrent(type, id, visibility)
        .orElseThrow(() -> new ResourceNotFoundException(new IdType(type, id)));
    if (v.deleted()) {
      throw new ResourceGoneException("Resource " + type + "/" + id + " was deleted (version "
          + v.versionId() + ")");
    }
    return parseStored(ctx, v);
  }

  /** Whether (type, id) exists now (not deleted). */
  /** The current version, or null when the resource does not exist or is deleted. */
  public IBaseResource readCurrentOrNull(String type, String id) {
    return rows.readCurrent(type, id).filter(v -> !v.deleted()).map(v -> parseStored(ctx, v)).orElse(null);
  }

  public boolean exists(String type, String id) {
    return rows.readCurrent(type, id).map(v -> !v.deleted()).orElse(false);
  }

  public IBaseResource vread(String type, String id, String version) {
    return vread(type, id, version, Visibility.EVERYTHING);
  }

  public IBaseResource vread(String type, String id, String version, Visibility visibility) {
    int versionId;
    try {
      versionId = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw new ResourceNotFoundException("Version '" + version + "' of " + type + "/" + id + " does not exist");
    }
    StoredVersion v = rows.readVersion(type, id, versionId, visibility).orElseThrow(() ->
        rows.readCurrent(type, id, visibility).isPresent()
        ? new ResourceNotFoundException("Version " + version + " of " + type + "/" + id + " does not exist")
        : new ResourceNotFoundException(new IdType(type, id)));
    if (v.deleted()) {
      throw new ResourceGoneException("Version " + version + " of " + type + "/" + id + " is a deletion");
    }
    return parseStored(ctx, v);
  }

  /** Turns stored versions into resources; deletions become stubs HAPI renders as DELETE entries. */
  public List<IBaseResource> toResources(List<StoredVersion> versions) {
    return versions.stream().map(v -> parseStored(ctx, v)).toList();
  }

  public static IBaseResource parseStored(FhirContext ctx, StoredVersion v) {
    IBaseResource r;
    if (v.deleted()) {
      r = ctx.getResourceDefinition(v.resType()).newInstance();
      r.setId(new IdType(v.resType(), v.resId(), String.valueOf(v.versionId())));
      ResourceMetadataKeyEnum.DELETED_AT.put(r, new InstantType(Date.from(v.lastUpdated())));
      ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(r, BundleEntryTransactionMethodEnum.DELETE);
      return r;
    }
    IParser parser = ctx.newJsonParser().setParserErrorHandler(new LenientErrorHandler(false));
    r = parser.parseResource(v.content());
    if (v.method() != null) {
      ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(r,
          "POST".equals(v.method()) ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT);
    }
    return r;
  }
}
