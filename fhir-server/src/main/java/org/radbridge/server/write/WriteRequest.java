package org.radbridge.server.write;

import ca.uhn.fhir.rest.api.PatchTypeEnum;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.radbridge.server.search.SearchCriteria;

/**
 * One write, as REST, bundles and every channel hand it to the pipeline: what to do, to which
 * resource (type and id, or structured criteria), its preconditions, its body, and who asks.
 *
 * @param id the logical id (update, patch, delete; a create with an id chosen by a bundle); null with criteria
 * @param criteria conditional criteria (If-None-Exist of a create, or the search of a conditional
 *     update, patch or delete); null when the id names the resource
 * @param ifMatch the version the caller last saw (If-Match), or null
 * @param resource the body of a create or update
 * @param patchType and {@code patchBody}: the patch of a PATCH
 */
public record WriteRequest(Operation operation, String type, String id, SearchCriteria criteria, Integer ifMatch,
    IBaseResource resource, PatchTypeEnum patchType, String patchBody, Caller caller) {
  public enum Operation { CREATE, UPDATE, PATCH, DELETE }

  public WriteRequest {
    if (operation == null || type == null || caller == null) {
      throw new IllegalArgumentException("a write request needs an operation, a type and a caller");
    }
    if (criteria != null && criteria.isEmpty()) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
          "Conditional " + operation.name().toLowerCase(java.util.Locale.ROOT) + " needs search criteria");
    }
  }

  /** Create with a server-assigned id. */
  public static WriteRequest create(IBaseResource resource, Caller caller) {
    return new WriteRequest(Operation.CREATE, type(resource), null, null, null, resource, null, null, caller);
  }

  /** Create unless {@code ifNoneExist} matches: then the match is the answer. */
  public static WriteRequest createIfNoneExist(IBaseResource resource, SearchCriteria ifNoneExist, Caller caller) {
    return new WriteRequest(Operation.CREATE, type(resource), null, ifNoneExist, null, resource, null, null, caller);
  }

  /** Create with an id the caller chose (a transaction bundle assigns ids before it resolves references). */
  public static WriteRequest createWithId(String id, IBaseResource resource, Caller caller) {
    return new WriteRequest(Operation.CREATE, type(resource), id, null, null, resource, null, null, caller);
  }

  public static WriteRequest update(String type, String id, IBaseResource resource, Integer ifMatch, Caller caller) {
    return new WriteRequest(Operation.UPDATE, type, id, null, ifMatch, resource, null, null, caller);
  }

  /** None matching creates, one updates, several are refused (412). */
  public static WriteRequest conditionalUpdate(String type, SearchCriteria criteria, IBaseResource resource,
      Integer ifMatch, Caller caller) {
    return new WriteRequest(Operation.UPDATE, type, null, criteria, ifMatch, resource, null, null, caller);
  }

  public static WriteRequest patch(String type, String id, PatchTypeEnum patchType, String body, Integer ifMatch,
      Caller caller) {
    return new WriteRequest(Operation.PATCH, type, id, null, ifMatch, null, patchType, body, caller);
  }

  public static WriteRequest conditionalPatch(String type, SearchCriteria criteria, PatchTypeEnum patchType,
      String body, Integer ifMatch, Caller caller) {
    return new WriteRequest(Operation.PATCH, type, null, criteria, ifMatch, null, patchType, body, caller);
  }

  public static WriteRequest delete(String type, String id, Integer ifMatch, Caller caller) {
    return new WriteRequest(Operation.DELETE, type, id, null, ifMatch, null, null, null, caller);
  }

  /** One match is deleted, none is a no-op, several are refused (412). */
  public static WriteRequest conditionalDelete(String type, SearchCriteria criteria, Caller caller) {
    return new WriteRequest(Operation.DELETE, type, null, criteria, null, null, null, null, caller);
  }

  private static String type(IBaseResource resource) {
    return resource.fhirType();
  }
}
