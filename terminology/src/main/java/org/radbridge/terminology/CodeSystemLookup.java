package org.radbridge.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.LookupCodeRequest;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import java.util.Collection;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.PrimitiveType;

/**
 * {@code lookupCode} for code systems held as CodeSystem resources (the network's fragments and
 * those stored through REST), with the concept's properties and designations: HAPI's in-memory
 * support answers a lookup with the display only, and the modality of a LOINC procedure is a
 * property. Any code system the chain can fetch is answered here; others fall through.
 */
public class CodeSystemLookup implements IValidationSupport {
  private final FhirContext ctx;

  public CodeSystemLookup(FhirContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public FhirContext getFhirContext() {
    return ctx;
  }

  @Override
  public String getName() {
    return "RadBridge CodeSystem lookup";
  }

  @Override
  public boolean isCodeSystemSupported(ValidationSupportContext context, String system) {
    return codeSystem(context, system).isPresent();
  }

  @Override
  public LookupCodeResult lookupCode(ValidationSupportContext context, LookupCodeRequest request) {
    Optional<CodeSystem> found = codeSystem(context, request.getSystem());
    if (found.isEmpty()) {
      return null;
    }
    CodeSystem cs = found.get();
    Optional<CodeSystem.ConceptDefinitionComponent> concept = find(cs.getConcept(), request.getCode());
    LookupCodeResult result = new LookupCodeResult().setSearchedForSystem(request.getSystem())
        .setSearchedForCode(request.getCode());
    if (concept.isEmpty()) {
      if (cs.getContent() == CodeSystem.CodeSystemContentMode.COMPLETE) {
        return result.setFound(false).setErrorMessage("Code " + request.getCode() + " is not in code system "
            + request.getSystem());
      }
      return null; // a fragment does not know every code: let the rest of the chain try
    }
    CodeSystem.ConceptDefinitionComponent c = concept.get();
    result.setFound(true);
    result.setCodeDisplay(c.getDisplay());
    result.setCodeSystemDisplayName(cs.hasTitle() ? cs.getTitle() : cs.getName());
    result.setCodeSystemVersion(cs.getVersion());
    Collection<String> wanted = request.getPropertyNames();
    for (CodeSystem.ConceptPropertyComponent p : c.getProperty()) {
      if (wanted != null && !wanted.isEmpty() && !wanted.contains(p.getCode())) {
        continue;
      }
      if (p.getValue() instanceof Coding coding) {
        result.getProperties().add(new CodingConceptProperty(p.getCode(), coding.getSystem(), coding.getCode(),
            coding.getDisplay()));
      } else if (p.getValue() instanceof BooleanType b) {
        result.getProperties().add(new BooleanConceptProperty(p.getCode(), Boolean.TRUE.equals(b.getValue())));
      } else if (p.getValue() instanceof PrimitiveType<?> prim) {
        result.getProperties().add(new StringConceptProperty(p.getCode(), prim.getValueAsString()));
      }
    }
    for (CodeSystem.ConceptDefinitionDesignationComponent d : c.getDesignation()) {
      result.getDesignations().add(new ConceptDesignation().setLanguage(d.getLanguage()).setValue(d.getValue())
          .setUseSystem(d.getUse().getSystem()).setUseCode(d.getUse().getCode()).setUseDisplay(d.getUse().getDisplay()));
    }
    return result;
  }

  private static Optional<CodeSystem> codeSystem(ValidationSupportContext context, String system) {
    if (system == null) {
      return Optional.empty();
    }
    IBaseResource cs = context.getRootValidationSupport().fetchCodeSystem(system);
    return cs instanceof CodeSystem r4 && r4.getContent() != CodeSystem.CodeSystemContentMode.NOTPRESENT
        ? Optional.of(r4) : Optional.empty();
  }

  private static Optional<CodeSystem.ConceptDefinitionComponent> find(
      java.util.List<CodeSystem.ConceptDefinitionComponent> concepts, String code) {
    for (CodeSystem.ConceptDefinitionComponent c : concepts) {
      if (c.getCode().equals(code)) {
        return Optional.of(c);
      }
      Optional<CodeSystem.ConceptDefinitionComponent> nested = find(c.getConcept(), code);
      if (nested.isPresent()) {
        return nested;
      }
    }
    return Optional.empty();
  }
}
