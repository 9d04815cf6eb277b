package org.radbridge.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.common.hapi.validation.validator.FhirDefaultPolicyAdvisor;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * Validates resources against the base specification and the profiles they claim or are given,
 * with the core FHIR validator ({@link InstanceValidator}) over the RadBridge validation-support
 * chain, configured as HAPI's {@code FhirInstanceValidator} configures it. Thread-safe; build it
 * once and warm it up in the background (the first validation loads the R4 core definitions).
 *
 * <p>Unlike HAPI's {@code FhirInstanceValidator}, which builds a new InstanceValidator for every
 * resource, this keeps a small pool of them: building one costs about 6 ms here (its constructor
 * reads the OID table from a CSV and sets up a FHIRPath engine), more than half of what validating
 * a workflow resource costs. An InstanceValidator keeps what it validated (its constraint cache
 * holds the element trees), so each pooled one is dropped after 10 (radbridge.validator.reuse) uses, and
 * when the conformance resources change: construction is paid once per 10 resources and what is
 * retained stays bounded.
 */
public class ProfileValidator {
  static final int REUSE_LIMIT = Integer.getInteger("radbridge.validator.reuse", 10);
  private static final int POOL_SIZE = 4;

  private final FhirContext ctx;
  private final WorkerContextValidationSupportAdapter worker;
  private final BlockingQueue<Pooled> pool = new ArrayBlockingQueue<>(POOL_SIZE);
  private final AtomicInteger generation = new AtomicInteger();

  private static final class Pooled {
    final InstanceValidator validator;
    final int generation;
    int uses;

    Pooled(InstanceValidator validator, int generation) {
      this.validator = validator;
      this.generation = generation;
    }
  }

  public ProfileValidator(FhirContext ctx, IValidationSupport chain) {
    this.ctx = ctx;
    this.worker = WorkerContextValidationSupportAdapter.newVersionSpecificWorkerContextWrapper(chain);
  }

  /** Validates against the base definition of its type, the profiles in meta.profile, and {@code profiles}. */
  public ValidationResult validate(IBaseResource resource, Collection<String> profiles) {
    if (resource instanceof ConceptMap map && (map.hasSource() || map.hasTarget())) {
      // the core ConceptMapValidator's batch check of the codes against the map's source/target
      // value sets fails with a NullPointerException on HAPI 8.6's worker-context adapter
      // (hapi-fhir#8348); without those scopes it checks everything else
      ConceptMap copy = map.copy();
      copy.setSource(null);
      copy.setTarget(null);
      resource = copy;
    }
    Set<String> urls = new LinkedHashSet<>();
    for (IPrimitiveType<String> p : resource.getMeta().getProfile()) {
      if (p.getValue() != null && !p.getValue().isBlank()) {
        urls.add(p.getValue());
      }
    }
    profiles.stream().filter(p -> p != null && !p.isBlank()).forEach(urls::add);
    List<StructureDefinition> definitions = new ArrayList<>();
    List<ValidationMessage> messages = new ArrayList<>();
    for (String url : urls) {
      StructureDefinition sd = worker.fetchResource(StructureDefinition.class, url);
      if (sd != null) {
        definitions.add(sd);
      } else {
        ValidationMessage m = new ValidationMessage();
        m.setMessageId(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN);
        m.setLevel(ValidationMessage.IssueSeverity.WARNING);
        m.setLocation(resource.fhirType() + ".meta.profile");
        m.setMessage("Profile " + url + " is not known; not validated against it");
        messages.add(m);
      }
    }
    byte[] json = ctx.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
    Pooled pooled = borrow();
    try {
      pooled.validator.validate(null, messages, new ByteArrayInputStream(json), Manager.FhirFormat.JSON, definitions);
    } finally {
      giveBack(pooled);
    }
    List<SingleValidationMessage> out = new ArrayList<>();
    for (ValidationMessage m : messages) {
      if (isSuppressed(m)) {
        continue;
      }
      SingleValidationMessage s = new SingleValidationMessage();
      if (m.getCol() != -1) {
        s.setLocationCol(m.getCol());
      }
      if (m.getLine() != -1) {
        s.setLocationLine(m.getLine());
      }
      s.setLocationString(m.getLocation());
      s.setMessage(m.getMessage());
      s.setMessageId(m.getMessageId());
      if (m.getLevel() != null) {
        s.setSeverity(ResultSeverityEnum.fromCode(m.getLevel().toCode()));
      }
      out.add(s);
    }
    return new ValidationResult(ctx, out);
  }

  /** Forgets cached definitions, after conformance resources changed. */
  public void invalidateCaches() {
    worker.invalidateCaches();
    generation.incrementAndGet();
    pool.clear();
  }

  /** Messages HAPI's own wrapper drops as well (bindings without a source, the MIME type value set). */
  private static boolean isSuppressed(ValidationMessage m) {
    String id = m.getMessageId();
    return id != null && (id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE)
        || id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE2)
        || (id.equals(I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND)
            && m.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes")));
  }

  private Pooled borrow() {
    Pooled p = pool.poll();
    if (p != null && p.generation == generation.get()) {
      return p;
    }
    return new Pooled(newInstanceValidator(), generation.get());
  }

  private void giveBack(Pooled p) {
    p.uses++;
    if (p.uses < REUSE_LIMIT && p.generation == generation.get()) {
      pool.offer(p); // dropped when the pool is full
    }
  }

  /** Configured as HAPI 8.6's ValidatorWrapper configures it, with RadBridge's settings. */
  private InstanceValidator newInstanceValidator() {
    InstanceValidator v = new InstanceValidator(worker, new FhirInstanceValidator.NullEvaluationContext(),
        new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
    // references are to resources on this server or its peers; their targets are checked by type only
    v.setAssumeValidRestReferences(true);
    v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
    v.setAnyExtensionsAllowed(true);
    v.setResourceIdRule(IdStatus.OPTIONAL);
    v.setNoTerminologyChecks(false);
    // an unknown claimed profile is reported by the caller as a warning, never a rejection
    v.setErrorForUnknownProfiles(false);
    v.setUnknownCodeSystemsCauseErrors(true);
    v.setPolicyAdvisor(new FhirDefaultPolicyAdvisor());
    v.setNoExtensibleWarnings(true);
    v.setNoBindingMsgSuppressed(false);
    v.setAllowExamples(false);
    v.setAllowXsiLocation(true);
    return v;
  }
}
