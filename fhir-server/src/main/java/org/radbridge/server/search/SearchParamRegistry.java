package org.radbridge.server.search;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.fhirpath.IFhirPath;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The search parameters of every resource type, straight from the FHIR R4 definitions that HAPI
 * ships ({@link RuntimeSearchParam}), each with its FHIRPath expression parsed once.
 */
@Component
public class SearchParamRegistry {
  private static final Logger log = LoggerFactory.getLogger(SearchParamRegistry.class);

  /** Parameters answered from the resource table itself rather than from index rows. */
  public static final List<String> RESOURCE_TABLE_PARAMS = List.of("_id", "_lastUpdated");

  /** A search parameter and its parsed expression (null when the expression cannot be parsed). */
  public record IndexedParam(RuntimeSearchParam param, IFhirPath.IParsedExpression expression) {
    public String name() {
      return param.getName();
    }
  }

  private final FhirContext ctx;
  private final IFhirPath fhirPath;
  private final Map<String, Map<String, IndexedParam>> byType = new ConcurrentHashMap<>();

  public SearchParamRegistry(FhirContext ctx) {
    this.ctx = ctx;
    this.fhirPath = ctx.newFhirPath();
  }

  /** All parameters of a type, keyed by name. */
  public Map<String, IndexedParam> paramsFor(String resourceType) {
    return byType.computeIfAbsent(resourceType, this::load);
  }

  public java.util.Set<String> resourceTypes() {
    return ctx.getResourceTypes();
  }

  public boolean isResourceType(String name) {
    return ctx.getResourceTypes().contains(name);
  }

  public IndexedParam find(String resourceType, String name) {
    return paramsFor(resourceType).get(name);
  }

  public Collection<IndexedParam> indexedParamsFor(String resourceType) {
    return paramsFor(resourceType).values();
  }

  private IFhirPath.IParsedExpression parse(String path) {
    try {
      return fhirPath.parse(path);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot parse FHIRPath '" + path + "'", e);
    }
  }

  private Map<String, IndexedParam> load(String resourceType) {
    RuntimeResourceDefinition def = ctx.getResourceDefinition(resourceType);
    Map<String, IndexedParam> params = new java.util.TreeMap<>();
    for (RuntimeSearchParam sp : def.getSearchParams()) {
      IFhirPath.IParsedExpression parsed = null;
      String path = sp.getPath();
      if (path != null && !path.isBlank()) {
        try {
          parsed = fhirPath.parse(path);
        } catch (Exception e) {
          log.warn("Search parameter {}.{} has an expression FHIRPath cannot parse ({}): not indexed",
              resourceType, sp.getName(), e.getMessage());
        }
      }
      params.put(sp.getName(), new IndexedParam(sp, parsed));
    }
    // _source is an R4 common parameter that HAPI's model does not list per type
    RuntimeSearchParam source = new RuntimeSearchParam(null, "http://hl7.org/fhir/SearchParameter/Resource-source",
        "_source", "Identifies where the resource comes from", "Resource.meta.source",
        ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum.URI, Set.of(), Set.of(),
        RuntimeSearchParam.RuntimeSearchParamStatusEnum.ACTIVE, List.of("Resource"));
    params.put("_source", new IndexedParam(source, parse("Resource.meta.source")));
    return Collections.unmodifiableMap(params);
  }
}
