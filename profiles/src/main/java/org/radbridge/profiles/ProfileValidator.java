package org.radbridge.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * resource, this keeps a pool of them: building one costs about 6 ms here (its constructor reads
 * the OID table, 20,000 entries, from a CSV and sets up a FHIRPath engine), more than half of what
 * validating a workflow resource costs. At most {@code radbridge.validator.pool} (default 4) are
 * built; a caller finding them all in use waits for one, since validation is CPU-bound and more
 * validators than cores only add garbage. An InstanceValidator's {@code CodingsObserver} keeps
 * every coding it saw, with the node stack that holds the element tree (about 85 KB per workflow
 * resource, never cleared in core 6.6.7, and only read for IPS SNOMED checks, which RadBridge
 * does not enable), so that list is emptied after every use. A pooled validator is still replaced
 * after {@code radbridge.validator.reuse} (default 1,000) uses, and when the conformance resources
 * change, so whatever else it accumulates stays bounded.
 */
public class ProfileValidator {
  /** Defaults of {@code radbridge.validator.reuse} and {@code radbridge.validator.pool}. */
  public static final int DEFAULT_REUSE_LIMIT = 1000;
  public static final int DEFAULT_POOL_SIZE = 4;
  private final int reuseLimit;
  /** How long a caller waits for a pooled validator before building one of its own. */
  private static final long BORROW_WAIT_MS = 10_000;
  private static final CodingUsages CODING_USAGES = new CodingUsages();

  private final FhirContext ctx;
  private final WorkerContextValidationSupportAdapter worker;
  private final BlockingQueue<Pooled> pool;
  private final AtomicInteger generation = new AtomicInteger();
  /** Validators built and not yet dropped, at most the pool size (one built past a timeout is not counted). */
  private final Semaphore builds;

  private static final class Pooled {
    final InstanceValidator validator;
    final int generation;
    final boolean counted;
    int uses;

    Pooled(InstanceValidator validator, int generation, boolean counted) {
      this.validator = validator;
      this.generation = generation;
      this.counted = counted;
    }
  }

  public ProfileValidator(FhirContext ctx, IValidationSupport chain) {
    this(ctx, chain, DEFAULT_POOL_SIZE, DEFAULT_REUSE_LIMIT);
  }

  /**
   * @param poolSize at most this many validators (each holds the definitions' working copies);
   *     callers beyond it wait for one
   * @param reuseLimit a pooled validator is replaced after this many uses
   */
  public ProfileValidator(FhirContext ctx, IValidationSupport chain, int poolSize, int reuseLimit) {
    if (poolSize < 1 || reuseLimit < 1) {
      throw new IllegalArgumentException("validator pool size and reuse limit must be at least 1");
    }
    this.pool = new ArrayBlockingQueue<>(poolSize);
    this.builds = new Semaphore(poolSize);
    this.reuseLimit = reuseLimit;
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
    Pooled p;
    while ((p = pool.poll()) != null) {
      drop(p);
    }
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
    while (true) {
      Pooled p = pool.poll();
      if (p == null && builds.tryAcquire()) {
        try {
          return new Pooled(newInstanceValidator(), generation.get(), true);
        } catch (RuntimeException e) {
          builds.release();
          throw e;
        }
      }
      if (p == null) {
        try {
          p = pool.poll(BORROW_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (p == null) { // a stuck validation must not stall every writer
          return new Pooled(newInstanceValidator(), generation.get(), false);
        }
      }
      if (p.generation == generation.get()) {
        return p;
      }
      drop(p);
    }
  }

  private void giveBack(Pooled p) {
    p.uses++;
    if (!CODING_USAGES.clear(p.validator) || p.uses >= reuseLimit || p.generation != generation.get()
        || !pool.offer(p)) {
      drop(p);
    }
  }

  /** For tests: the idle validators, and the codings they still hold (-1 where unreachable). */
  List<Integer> idleCodingUsages() {
    return pool.stream().map(p -> CODING_USAGES.size(p.validator)).toList();
  }

  private void drop(Pooled p) {
    if (p.counted) {
      builds.release();
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

  /**
   * Empties the list of codings an InstanceValidator's CodingsObserver collects. Core 6.6.7 has no
   * way to reach it, hence reflection; if a later core renames the fields, {@link #clear} answers
   * false and the validator is not reused, which is slower but never leaks.
   */
  private static final class CodingUsages {
    private final Field observer;
    private final Field list;

    CodingUsages() {
      Field o = null;
      Field l = null;
      try {
        o = InstanceValidator.class.getDeclaredField("codingObserver");
        o.setAccessible(true);
        l = o.getType().getDeclaredField("list");
        l.setAccessible(true);
      } catch (ReflectiveOperationException | RuntimeException e) {
        o = null;
        l = null;
      }
      this.observer = o;
      this.list = l;
    }

    int size(InstanceValidator v) {
      try {
        return observer != null && list.get(observer.get(v)) instanceof List<?> usages ? usages.size() : -1;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return -1;
      }
    }

    boolean clear(InstanceValidator v) {
      if (observer == null) {
        return false;
      }
      try {
        Object o = observer.get(v);
        if (o != null && list.get(o) instanceof List<?> usages) {
          usages.clear();
        }
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return false;
      }
    }
  }
}
