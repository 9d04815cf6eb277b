package org.radbridge.server.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.MetadataResource;
import org.radbridge.server.store.ResourceReader;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.server.store.StoredVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member of the validation-support chain that knows the CodeSystems, ValueSets,
 * StructureDefinitions and ConceptMaps stored through REST (not the shipped ones, which come
 * first in the chain). It holds them all in memory and is rebuilt whole when one of them changes.
 */
public class StoredConformanceSupport implements IValidationSupport {
  private static final Logger log = LoggerFactory.getLogger(StoredConformanceSupport.class);
  static final List<String> TYPES = List.of("CodeSystem", "ValueSet", "StructureDefinition", "ConceptMap");

  private final FhirContext ctx;
  private final ResourceRows rows;
  private volatile PrePopulatedValidationSupport current;
  private volatile List<ConceptMap> conceptMaps = List.of();
  private volatile String signature = "";

  public StoredConformanceSupport(FhirContext ctx, ResourceRows rows) {
    this.ctx = ctx;
    this.rows = rows;
    this.current = new PrePopulatedValidationSupport(ctx);
  }

  /** Reloads everything stored, skipping the shipped resources ({@code Type/id}). */
  public synchronized void reload(Set<String> shipped) {
    String sig = rows.changeSignature(TYPES);
    PrePopulatedValidationSupport next = new PrePopulatedValidationSupport(ctx);
    List<ConceptMap> maps = new ArrayList<>();
    for (StoredVersion v : rows.readAllCurrent(TYPES)) {
      if (shipped.contains(v.resType() + "/" + v.resId())) {
        continue;
      }
      try {
        IBaseResource r = ResourceReader.parseStored(ctx, v);
        if (r instanceof ConceptMap cm) {
          maps.add(cm);
        } else if (r instanceof MetadataResource m && m.hasUrl()) {
          next.addResource(m);
        }
      } catch (RuntimeException e) {
        log.warn("Stored {}/{} is not usable for validation or terminology: {}", v.resType(), v.resId(), e.getMessage());
      }
    }
    current = next;
    conceptMaps = List.copyOf(maps);
    signature = sig;
  }

  /** Whether conformance resources were written since the last reload (by any node). */
  public boolean isStale() {
    return !rows.changeSignature(TYPES).equals(signature);
  }

  public List<ConceptMap> conceptMaps() {
    return conceptMaps;
  }

  @Override
  public FhirContext getFhirContext() {
    return ctx;
  }

  @Override
  public String getName() {
    return "RadBridge stored conformance resources";
  }

  @Override
  public IBaseResource fetchCodeSystem(String system) {
    return current.fetchCodeSystem(system);
  }

  @Override
  public IBaseResource fetchValueSet(String uri) {
    return current.fetchValueSet(uri);
  }

  @Override
  public IBaseResource fetchStructureDefinition(String url) {
    return current.fetchStructureDefinition(url);
  }

  @Override
  public <T extends IBaseResource> List<T> fetchAllStructureDefinitions() {
    return current.fetchAllStructureDefinitions();
  }

  @Override
  public List<IBaseResource> fetchAllConformanceResources() {
    return current.fetchAllConformanceResources();
  }

  @Override
  public boolean isCodeSystemSupported(ValidationSupportContext context, String system) {
    return current.isCodeSystemSupported(context, system);
  }

  @Override
  public boolean isValueSetSupported(ValidationSupportContext context, String valueSetUrl) {
    return current.isValueSetSupported(context, valueSetUrl);
  }
}
