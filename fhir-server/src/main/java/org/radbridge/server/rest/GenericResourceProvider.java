package org.radbridge.server.rest;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.api.SortSpec;
import java.util.Set;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.annotation.Validate;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.ValidationModeEnum;
import org.radbridge.server.validation.WriteValidation;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.search.SearchCriteria;
import org.radbridge.server.write.Caller;
import org.radbridge.server.write.ResourceWriter;
import org.radbridge.server.write.WriteRequest;
import org.radbridge.server.write.ResourceWriter.WriteOutcome;

/**
 * The REST interactions of one resource type, the same for every type: HAPI's RestfulServer gets
 * one instance per R4 resource type. All work is delegated to the one write path and read side.
 */
public class GenericResourceProvider implements IResourceProvider {
  private final Class<? extends IBaseResource> resourceClass;
  private final String resourceType;
  private final ResourceWriter writer;
  private final ResourceReader reader;
  private final HistoryPages history;
  private final SearchPages search;
  private final WriteValidation validation;
  private final org.radbridge.server.security.RestCallers callers;

  public GenericResourceProvider(Class<? extends IBaseResource> resourceClass, String resourceType,
      ResourceWriter writer, ResourceReader reader, HistoryPages history, SearchPages search,
      WriteValidation validation, org.radbridge.server.security.RestCallers callers) {
    this.callers = callers;
    this.validation = validation;
    this.resourceClass = resourceClass;
    this.resourceType = resourceType;
    this.writer = writer;
    this.reader = reader;
    this.history = history;
    this.search = search;
  }

  /**
   * Type search, GET or POST _search. Filters come from the raw parameters; the annotated ones
   * are declared so HAPI accepts them and lists them in the CapabilityStatement.
   */
  @Search(allowUnknownParams = true)
  public IBundleProvider search(@Sort SortSpec sort, @Count Integer count,
      @IncludeParam(allow = "*") Set<Include> includes, @IncludeParam(reverse = true, allow = "*") Set<Include> revIncludes,
      RequestDetails request) {
    return search.firstPage(resourceType, request.getParameters(), request);
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return resourceClass;
  }

  @Read(version = true)
  public IBaseResource read(@IdParam IIdType id) {
    Ids.requireValid(id.getIdPart());
    if (id.hasVersionIdPart()) {
      return reader.vread(resourceType, id.getIdPart(), id.getVersionIdPart(), callers.visibility());
    }
    return reader.read(resourceType, id.getIdPart(), callers.visibility());
  }

  /** Who the request acts for: its token's client, organisation and scopes. */
  private Caller callerOf() {
    return callers.current();
  }

  @Create
  public MethodOutcome create(@ResourceParam IBaseResource resource, @ConditionalUrlParam String ifNoneExist) {
    // the server assigns the id of a created resource; one in the body is ignored (R4 3.1.0.6)
    resource.setId((String) null);
    Caller caller = callerOf();
    return toOutcome(writer.write(ifNoneExist == null || ifNoneExist.isBlank() ? WriteRequest.create(resource, caller)
        : WriteRequest.createIfNoneExist(resource, SearchCriteria.parse(ifNoneExist), caller)));
  }

  @Update
  public MethodOutcome update(@IdParam IIdType id, @ResourceParam IBaseResource resource,
      @ConditionalUrlParam String conditional, RequestDetails request) {
    Integer ifMatch = ETags.ifMatchVersion(request);
    WriteOutcome o;
    if (conditional != null) {
      resource.setId(bodyId(request));
      o = writer.write(WriteRequest.conditionalUpdate(resourceType, SearchCriteria.parse(conditional), resource, ifMatch,
          callerOf()));
    } else {
      if (id == null || !id.hasIdPart()) {
        throw new InvalidRequestException("Update needs an id in the URL or search criteria");
      }
      Ids.requireValid(id.getIdPart());
      o = writer.write(WriteRequest.update(resourceType, id.getIdPart(), resource, ifMatch, callerOf()));
    }
    if (o.created() && request instanceof ServletRequestDetails servlet) {
      // HAPI sets Location only for create; an update that creates answers 201 with it too
      servlet.getServletResponse().setHeader("Location",
          o.id().withServerBase(request.getFhirServerBase(), resourceType).getValue());
    }
    return toOutcome(o);
  }

  @Patch
  public MethodOutcome patch(@IdParam IIdType id, PatchTypeEnum patchType, @ResourceParam String body,
      @ConditionalUrlParam String conditional, RequestDetails request) {
    Integer ifMatch = ETags.ifMatchVersion(request);
    WriteOutcome o;
    if (conditional != null) {
      o = writer.write(WriteRequest.conditionalPatch(resourceType, SearchCriteria.parse(conditional), patchType, body,
          ifMatch, callerOf()));
    } else {
      requireInstance(id, "PATCH");
      o = writer.write(WriteRequest.patch(resourceType, id.getIdPart(), patchType, body, ifMatch, callerOf()));
    }
    if (request instanceof ServletRequestDetails servlet) {
      // HAPI adds no ETag to a patch response; clients need the new version for the next If-Match
      servlet.getServletResponse().setHeader("ETag", "W/\"" + o.id().getVersionIdPart() + "\"");
    }
    return toOutcome(o);
  }

  @Delete
  public MethodOutcome delete(@IdParam IIdType id, @ConditionalUrlParam String conditional, RequestDetails request) {
    WriteOutcome o;
    if (conditional != null) {
      o = writer.write(WriteRequest.conditionalDelete(resourceType, SearchCriteria.parse(conditional), callerOf()));
    } else {
      requireInstance(id, "DELETE");
      if (id.hasVersionIdPart()) {
        throw new InvalidRequestException("DELETE removes a resource, not one version of it: use DELETE "
            + resourceType + "/" + id.getIdPart() + " (past versions stay in its history)");
      }
      o = writer.write(WriteRequest.delete(resourceType, id.getIdPart(), ETags.ifMatchVersion(request), callerOf()));
    }
    MethodOutcome out = new MethodOutcome();
    OperationOutcome oo = new OperationOutcome();
    String text = o.id() == null ? "No " + resourceType + " matched the criteria; nothing was deleted"
        : o.changed() ? "Deleted " + o.id().toUnqualifiedVersionless().getValue() + " (version " + o.id().getVersionIdPart() + ")"
        : o.id().toUnqualifiedVersionless().getValue() + " was already deleted";
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
        .setCode(OperationOutcome.IssueType.INFORMATIONAL).setDiagnostics(text);
    out.setOperationOutcome(oo);
    if (o.id() != null) {
      out.setId(o.id());
    }
    return out;
  }

  /** An instance-level write needs the id (or, conditionally, search criteria) in the URL. */
  private void requireInstance(IIdType id, String method) {
    if (id == null || !id.hasIdPart()) {
      throw new InvalidRequestException(method + " on " + resourceType + " needs an id (" + method + " "
          + resourceType + "/[id]) or search criteria (" + method + " " + resourceType + "?[criteria])");
    }
    Ids.requireValid(id.getIdPart());
  }

  @History
  public IBundleProvider instanceHistory(@IdParam IIdType id, @Since Date since, @Count Integer count,
      RequestDetails request) {
    Ids.requireValid(id.getIdPart());
    return history.firstPage(resourceType, id.getIdPart(), since, count, request);
  }

  @History
  public IBundleProvider typeHistory(@Since Date since, @Count Integer count,
      RequestDetails request) {
    return history.firstPage(resourceType, null, since, count, request);
  }

  /**
   * The id the client put in the body. HAPI drops it from the parsed resource of a conditional
   * update, but it must still match the resource the criteria find, so read it from the raw body.
   */
  private static String bodyId(RequestDetails request) {
    EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
    if (encoding == null) {
      return null;
    }
    IBaseResource raw = encoding.newParser(request.getFhirContext())
        .parseResource(new String(request.loadRequestContents(), StandardCharsets.UTF_8));
    return raw.getIdElement().getIdPart();
  }

  static MethodOutcome toOutcome(WriteOutcome o) {
    MethodOutcome out = new MethodOutcome(o.id(), o.created());
    out.setResource(o.resource());
    OperationOutcome oo = new OperationOutcome();
    oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
        .setCode(OperationOutcome.IssueType.INFORMATIONAL)
        .setDiagnostics(o.created() ? "Created " + o.id().getValue()
            : o.changed() ? "Updated " + o.id().getValue()
            : "Matched existing " + o.id().getValue() + "; nothing was written");
    o.warnings().forEach(oo::addIssue);
    out.setOperationOutcome(oo);
    return out;
  }

  /**
   * {@code $validate} on the type or an instance: the base specification, the profiles the
   * resource claims and the optional {@code profile}; 200 with an OperationOutcome either way.
   */
  @Validate
  public MethodOutcome validate(@ResourceParam IBaseResource resource, @IdParam(optional = true) IIdType id,
      @Validate.Mode ValidationModeEnum mode, @Validate.Profile String profile) {
    MethodOutcome out = new MethodOutcome();
    if (mode == ValidationModeEnum.DELETE) {
      OperationOutcome oo = new OperationOutcome();
      oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
          .setCode(OperationOutcome.IssueType.INFORMATIONAL)
          .setDiagnostics("Delete is allowed: RadBridge keeps no referential-integrity rules that would refuse it");
      out.setOperationOutcome(oo);
      return out;
    }
    if (resource == null) {
      throw new InvalidRequestException("$validate needs the resource to validate in the body");
    }
    if (!resourceType.equals(ctx(resource))) {
      throw new InvalidRequestException("$validate on " + resourceType + " was given a " + ctx(resource));
    }
    out.setOperationOutcome(validation.validateOnDemand(resource, primitiveText(profile)));
    return out;
  }

  /**
   * HAPI 8.6 hands the Parameters form's {@code profile} (a uri) to a String parameter as the
   * primitive's toString(), e.g. {@code UriType[https://...]}; the URL is what is inside.
   */
  static String primitiveText(String value) {
    if (value != null && value.matches("^[A-Za-z]+Type\\[.*\\]$")) {
      return value.substring(value.indexOf('[') + 1, value.length() - 1);
    }
    return value;
  }

  private static String ctx(IBaseResource r) {
    return r.fhirType();
  }
}
