package org.radbridge.server.terminology;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.radbridge.profiles.NetworkProfiles;
import org.radbridge.profiles.ProfileValidator;
import org.radbridge.server.store.ResourceRows;
import org.radbridge.terminology.ShippedTerminology;
import org.radbridge.terminology.TerminologyChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Everything validation and the terminology operations know: the network's shipped terminology
 * and profiles, the conformance resources stored through REST, HAPI's R4 core — as one HAPI
 * validation-support chain and one validator over it. The profiles' snapshots and the validator
 * are built in the background after start ({@link #warmUp}); a caller that needs the validator
 * earlier waits for it. Writes of conformance resources reload the stored part after commit
 * ({@link #changed}); writes on other nodes are noticed by polling.
 */
@Component
public class NetworkConformance implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #refreshIfChanged} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::refreshIfChanged,
        settings.getTerminology().getPollInterval(), java.time.Duration.ofSeconds(5)));
  }

  private static final Logger log = LoggerFactory.getLogger(NetworkConformance.class);
  public static final List<String> TYPES = StoredConformanceSupport.TYPES;

  private final FhirContext ctx;
  private final ShippedTerminology terminology;
  private final PrePopulatedValidationSupport network;
  private final StoredConformanceSupport stored;
  private final ValidationSupportChain chain;
  private final CompletableFuture<ProfileValidator> validator = new CompletableFuture<>();
  private final CompletableFuture<Void> snapshotsReady = new CompletableFuture<>();
  /** Shipped resources by "Type/id", with the snapshots once generated. */
  private final Map<String, MetadataResource> shipped = new HashMap<>();
  private final Map<String, String> shippedUrls = new HashMap<>();

  public NetworkConformance(FhirContext ctx, ResourceRows rows, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.ctx = ctx;
    this.terminology = ShippedTerminology.load(ctx);
    List<MetadataResource> resources = new ArrayList<>(terminology.all());
    List<StructureDefinition> profiles = NetworkProfiles.differentials(ctx);
    resources.addAll(profiles);
    for (MetadataResource r : resources) {
      shipped.put(r.fhirType() + "/" + r.getIdPart(), r);
      shippedUrls.put(r.getUrl(), r.fhirType() + "/" + r.getIdPart());
    }
    this.network = TerminologyChain.prePopulated(ctx, resources);
    this.stored = new StoredConformanceSupport(ctx, rows);
    this.chain = TerminologyChain.build(ctx, network, List.<IValidationSupport>of(stored), this::conceptMaps);
  }

  /**
   * Generates the profiles' snapshots and, unless {@code buildValidator} is false (validation off:
   * then it is built on the first $validate), builds the validator and validates each example
   * once so the R4 core definitions are loaded before the first write needs them.
   */
  public void warmUp(boolean buildValidator) {
    try {
      long start = System.nanoTime();
      reload();
      for (StructureDefinition sd : NetworkProfiles.withSnapshots(ctx, chain)) {
        network.addStructureDefinition(sd);
        synchronized (shipped) {
          shipped.put("StructureDefinition/" + sd.getIdPart(), sd);
        }
      }
      chain.invalidateCaches();
      snapshotsReady.complete(null);
      if (buildValidator) {
        buildValidator();
        log.info("Validator ready in {} ms", (System.nanoTime() - start) / 1_000_000);
      }
    } catch (RuntimeException | Error e) {
      snapshotsReady.completeExceptionally(e);
      validator.completeExceptionally(e);
      throw e;
    }
  }

  private synchronized void buildValidator() {
    if (validator.isDone()) {
      return;
    }
    ProfileValidator v = new ProfileValidator(ctx, chain, settings.getValidator().getPool(), settings.getValidator().getReuse());
    for (Resource example : NetworkProfiles.examples(ctx)) {
      v.validate(example, List.of());
    }
    validator.complete(v);
  }

  /** The validator; waits for the warm-up when it has not finished yet, builds it when nobody did. */
  public ProfileValidator validator() {
    try {
      snapshotsReady.get();
      if (!validator.isDone()) {
        buildValidator();
      }
      return validator.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the validator", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("The validator could not be built: " + e.getCause().getMessage(), e.getCause());
    }
  }

  public boolean isValidatorReady() {
    return validator.isDone() && !validator.isCompletedExceptionally();
  }

  public ValidationSupportChain chain() {
    return chain;
  }

  public FhirContext fhirContext() {
    return ctx;
  }

  /** The shipped conformance resources (profiles with snapshots once the warm-up generated them). */
  public List<MetadataResource> shippedResources() {
    synchronized (shipped) {
      return List.copyOf(shipped.values());
    }
  }

  /** Whether {@code Type/id} is one of the shipped (read-only) resources. */
  public boolean isShipped(String type, String id) {
    return shipped.containsKey(type + "/" + id);
  }

  /** The shipped resource that owns a canonical URL, as "Type/id". */
  public Optional<String> shippedOwnerOf(String url) {
    return Optional.ofNullable(shippedUrls.get(url));
  }

  /** Whether a profile URL is known (shipped, stored, or an R4 core profile). */
  public boolean isKnownProfile(String url) {
    IBaseResource sd = chain.fetchStructureDefinition(url);
    return sd != null;
  }

  public List<ConceptMap> conceptMaps() {
    List<ConceptMap> all = new ArrayList<>(terminology.conceptMaps());
    all.addAll(stored.conceptMaps());
    return all;
  }

  public ShippedTerminology shippedTerminology() {
    return terminology;
  }

  /** After a conformance resource was written on this node and committed. */
  public void changed() {
    reload();
  }

  public void refreshIfChanged() {
    if (stored.isStale()) {
      reload();
    }
  }

  private synchronized void reload() {
    Set<String> skip;
    synchronized (shipped) {
      skip = new HashSet<>(shipped.keySet());
    }
    stored.reload(skip);
    chain.invalidateCaches();
    if (isValidatorReady()) {
      validator.join().invalidateCaches();
    }
  }
}
