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
  public static final class IndexedParam {
    private final RuntimeSearchParam param;
    private final FhirPathEngine fhirPath;
    private volatile boolean parsed;
    private List<IFhirPath.IParsedExpression> expressions = List.of();

    private final String customSubject;

    IndexedParam(RuntimeSearchParam param, FhirPathEngine fhirPath) {
      this(param, fhirPath, null);
    }

    IndexedParam(RuntimeSearchParam param, FhirPathEngine fhirPath, String customSubject) {
      this.param = param;
      this.fhirPath = fhirPath;
      this.customSubject = customSubject;
    }

    /** "SearchParameter/{id}" for a parameter defined by a stored SearchParameter, else null. */
    public String customSubject() {
      return customSubject;
    }

    public RuntimeSearchParam param() {
      return param;
    }

    public String name() {
      return param.getName();
    }

    /** Whether the parameter has a FHIRPath expression at all (parsing waits until first use). */
    public boolean hasPath() {
      return param.getPath() != null && !param.getPath().isBlank();
    }

    /**
     * The expression split at its top-level unions and parsed on first use (empty when FHIRPath
     * cannot parse it). Evaluated part by part, as HAPI's own extractor does: the engine fails on
     * some unions of 'as' casts that it evaluates fine one at a time.
     */
    public List<IFhirPath.IParsedExpression> expressions() {
      if (!parsed) {
        synchronized (this) {
          if (!parsed) {
            if (hasPath()) {
              try {
                List<IFhirPath.IParsedExpression> list = new java.util.ArrayList<>();
                for (String part : splitUnion(param.getPath())) {
                  list.add(fhirPath.get().parse(part));
                }
                expressions = List.copyOf(list);
              } catch (Exception e) {
                log.warn("Search parameter {} has an expression FHIRPath cannot parse ({}): not indexed",
                    param.getName(), e.getMessage());
              }
            }
            parsed = true;
          }
        }
      }
      return expressions;
    }
  }

  /** Splits "a | (b as X) | c" at the '|' that are outside parentheses and quotes. */
  static List<String> splitUnion(String path) {
    List<String> parts = new java.util.ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < path.length(); i++) {
      char ch = path.charAt(i);
      if (ch == '\'' ) {
        quoted = !quoted;
      } else if (!quoted && ch == '(') {
        depth++;
      } else if (!quoted && ch == ')') {
        depth--;
      } else if (!quoted && depth == 0 && ch == '|') {
        parts.add(path.substring(start, i).trim());
        start = i + 1;
      }
    }
    parts.add(path.substring(start).trim());
    parts.removeIf(String::isEmpty);
    return parts;
  }

  private final FhirContext ctx;
  private final FhirPathEngine fhirPath;
  private final Map<String, Map<String, IndexedParam>> byType = new ConcurrentHashMap<>();

  public SearchParamRegistry(FhirContext ctx, FhirPathEngine fhirPath) {
    this.ctx = ctx;
    this.fhirPath = fhirPath;
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

  /** Custom parameters by base type, from the stored SearchParameter resources. */
  private volatile Map<String, Map<String, IndexedParam>> custom = Map.of();

  /**
   * Replaces the custom parameters (each keyed by its subject, "SearchParameter/{id}"). Built-in
   * parameters are never replaced: a custom code that collides with one is refused on write.
   */
  public synchronized void setCustom(Map<String, RuntimeSearchParam> bySubject) {
    Map<String, Map<String, IndexedParam>> next = new java.util.HashMap<>();
    for (var e : bySubject.entrySet()) {
      RuntimeSearchParam sp = e.getValue();
      for (String base : sp.getBase()) {
        next.computeIfAbsent(base, k -> new java.util.TreeMap<>())
            .put(sp.getName(), new IndexedParam(sp, fhirPath, e.getKey()));
      }
    }
    custom = next;
    byType.clear();
  }

  /** Whether a code is a built-in (R4) parameter of the type. */
  public boolean isBuiltIn(String resourceType, String code) {
    return ctx.getResourceDefinition(resourceType).getSearchParam(code) != null || "_source".equals(code)
        || RESOURCE_TABLE_PARAMS.contains(code);
  }

  private Map<String, IndexedParam> load(String resourceType) {
    RuntimeResourceDefinition def = ctx.getResourceDefinition(resourceType);
    Map<String, IndexedParam> params = new java.util.TreeMap<>();
    for (RuntimeSearchParam sp : def.getSearchParams()) {
      params.put(sp.getName(), new IndexedParam(sp, fhirPath));
    }
    // _source is an R4 common parameter that HAPI's model does not list per type
    RuntimeSearchParam source = new RuntimeSearchParam(null, "http://hl7.org/fhir/SearchParameter/Resource-source",
        "_source", "Identifies where the resource comes from", "Resource.meta.source",
        ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum.URI, Set.of(), Set.of(),
        RuntimeSearchParam.RuntimeSearchParamStatusEnum.ACTIVE, List.of("Resource"));
    params.put("_source", new IndexedParam(source, fhirPath));
    for (var e : custom.getOrDefault(resourceType, Map.of()).entrySet()) {
      params.putIfAbsent(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(params);
  }
}
