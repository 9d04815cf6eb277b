package org.radbridge.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.MetadataResource;

/**
 * Builds the HAPI validation-support chain that answers every terminology and conformance question
 * in RadBridge — the validator's, and the terminology operations' ($lookup, $validate-code,
 * $expand, $translate). In order: the network's own resources, then the caller's further supports
 * (the resources stored through REST), lookups with concept properties, then the FHIR R4 core definitions, HAPI's in-memory
 * terminology server, its built-in common code systems (UCUM, languages, MIME types...), snapshot
 * generation, ConceptMap translation, and last a warning (not an error) for code systems nobody in
 * the chain knows, such as SNOMED CT in imported EHR data.
 */
public final class TerminologyChain {
  private TerminologyChain() {}

  /**
   * @param network the network's shipped conformance resources (terminology, profiles)
   * @param stored supports over the resources stored through REST, asked after the shipped ones
   * @param conceptMaps every ConceptMap to translate with, asked for on each translation
   */
  public static ValidationSupportChain build(FhirContext ctx, Collection<? extends MetadataResource> network,
      List<IValidationSupport> stored, Supplier<? extends Collection<ConceptMap>> conceptMaps) {
    return build(ctx, prePopulated(ctx, network), stored, conceptMaps);
  }

  /**
   * As above, with the network's resources already in a support the caller keeps (to add the
   * generated snapshots of its profiles to it).
   */
  public static ValidationSupportChain build(FhirContext ctx, PrePopulatedValidationSupport network,
      List<IValidationSupport> stored, Supplier<? extends Collection<ConceptMap>> conceptMaps) {
    List<IValidationSupport> supports = new ArrayList<>();
    supports.add(network);
    supports.addAll(stored);
    supports.add(new CodeSystemLookup(ctx));
    // the context's own instance: FHIRPath (search indexing) loads the R4 core definitions through
    // it already, and a second DefaultProfileValidationSupport would hold a second copy (~60 MB)
    supports.add(ctx.getValidationSupport());
    supports.add(new InMemoryTerminologyServerValidationSupport(ctx));
    supports.add(new CommonCodeSystemsTerminologyService(ctx));
    supports.add(new SnapshotGeneratingValidationSupport(ctx));
    supports.add(new ConceptMapTranslator(ctx, conceptMaps));
    UnknownCodeSystemWarningValidationSupport unknown = new UnknownCodeSystemWarningValidationSupport(ctx);
    unknown.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
    supports.add(unknown);
    ValidationSupportChain chain = new ValidationSupportChain(supports);
    chain.setName("RadBridge terminology");
    // FHIR: a CodeableConcept meets a required binding when one of its codings is in the value set
    // (an HIS's local code may travel with the LOINC code); HAPI's chain wants all of them by default
    chain.setCodeableConceptValidationSuccessfulIfNotAllCodingsAreValid(true);
    return chain;
  }

  /** The given conformance resources as one pre-populated support. */
  public static PrePopulatedValidationSupport prePopulated(FhirContext ctx, Collection<? extends MetadataResource> resources) {
    PrePopulatedValidationSupport support = new PrePopulatedValidationSupport(ctx);
    for (MetadataResource r : resources) {
      if (!(r instanceof ConceptMap)) {
        support.addResource(r);
      }
    }
    return support;
  }
}
