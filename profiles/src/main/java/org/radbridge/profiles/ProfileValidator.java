package org.radbridge.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.Collection;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;

/**
 * Validates resources against the base specification and the profiles they claim or are given,
 * with HAPI's {@link FhirInstanceValidator} over the RadBridge validation-support chain. One
 * instance is thread-safe and keeps its caches; build it once and warm it up in the background
 * (the first validation loads the R4 core definitions, several seconds).
 */
public class ProfileValidator {
  private final FhirInstanceValidator instanceValidator;
  private final FhirValidator validator;

  public ProfileValidator(FhirContext ctx, IValidationSupport chain) {
    instanceValidator = configure(new FhirInstanceValidator(chain));
    validator = newValidator(ctx, instanceValidator);
  }

  private static FhirInstanceValidator configure(FhirInstanceValidator instanceValidator) {
    // references are to resources on this server or its peers; their targets are checked by type only
    instanceValidator.setAssumeValidRestReferences(true);
    instanceValidator.setAnyExtensionsAllowed(true);
    // an unknown claimed profile is reported by the caller as a warning, never a rejection
    instanceValidator.setErrorForUnknownProfiles(false);
    instanceValidator.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
    instanceValidator.setNoExtensibleWarnings(true);
    return instanceValidator;
  }

  private static FhirValidator newValidator(FhirContext ctx, FhirInstanceValidator module) {
    FhirValidator validator = ctx.newValidator();
    validator.setValidateAgainstStandardSchema(false);
    validator.setValidateAgainstStandardSchematron(false);
    validator.registerValidatorModule(module);
    return validator;
  }

  /** Validates against the base definition of its type, the profiles in meta.profile, and {@code profiles}. */
  public ValidationResult validate(IBaseResource resource, Collection<String> profiles) {
    ValidationOptions options = new ValidationOptions();
    profiles.forEach(options::addProfileIfNotBlank);
    if (resource instanceof ConceptMap map && (map.hasSource() || map.hasTarget())) {
      // HAPI 8.6's worker-context adapter answers the core ConceptMapValidator's batch check of the
      // codes against the map's source/target value sets with null, and it throws a
      // NullPointerException (hapi-fhir#8348); without those scopes it checks everything else
      ConceptMap copy = map.copy();
      copy.setSource(null);
      copy.setTarget(null);
      return validator.validateWithResult(copy, options);
    }
    return validator.validateWithResult(resource, options);
  }

  /** Forgets cached definitions, after conformance resources changed. */
  public void invalidateCaches() {
    instanceValidator.invalidateCaches();
  }
}
