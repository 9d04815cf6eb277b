package org.radbridge.server.search;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.fhirpath.IFhirPathEvaluationContext;
import java.util.concurrent.CompletableFuture;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.stereotype.Component;

/**
 * The FHIRPath engine the indexer and the registry share. Creating it loads the R4
 * StructureDefinitions (about 2 s), so that happens on a background thread from startup on; the
 * first write that needs it waits for it rather than every start.
 */
@Component
public class FhirPathEngine {
  private final CompletableFuture<IFhirPath> engine;

  public FhirPathEngine(FhirContext ctx) {
    engine = CompletableFuture.supplyAsync(() -> create(ctx));
  }

  public IFhirPath get() {
    return engine.join();
  }

  private static IFhirPath create(FhirContext ctx) {
    IFhirPath fhirPath = ctx.newFhirPath();
    // resolve() in expressions such as "subject.where(resolve() is Patient)" only needs the type,
    // which the reference itself carries: answer with an empty resource of that type.
    fhirPath.setEvaluationContext(new IFhirPathEvaluationContext() {
      @Override
      public IBase resolveReference(IIdType id, IBase context) {
        if (id == null || !id.hasResourceType()) {
          return null;
        }
        try {
          IBaseResource stub = ctx.getResourceDefinition(id.getResourceType()).newInstance();
          stub.setId(id.getIdPart());
          return stub;
        } catch (Exception e) {
          return null;
        }
      }
    });
    return fhirPath;
  }
}
