import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.profiles.NetworkProfiles;
import org.radbridge.profiles.ProfileValidator;
import org.radbridge.terminology.ShippedTerminology;
import org.radbridge.terminology.TerminologyChain;

/**
 * The cost of validating a claimed workflow resource with the validator RadBridge builds (same
 * chain, same settings), one thread, in-process: no HTTP, no database. Run by validation-run.sh:
 *   java -cp <profiles classpath> bench/ValidationCost.java <examples dir> [iterations]
 */
public class ValidationCost {
  public static void main(String[] args) throws Exception {
    Path examples = Path.of(args[0]);
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    boolean distinct = args.length <= 2 || !"--same".equals(args[2]);
    FhirContext ctx = FhirContext.forR4();
    long t0 = System.nanoTime();
    // as in the server: search indexing's FHIRPath engine loads the R4 definitions first
    ctx.newFhirPath().evaluate(new org.hl7.fhir.r4.model.Patient(), "Patient.name.where(use = 'official')",
        org.hl7.fhir.r4.model.Base.class);
    ShippedTerminology terminology = ShippedTerminology.load(ctx);
    List<MetadataResource> network = new ArrayList<>(terminology.all());
    network.addAll(NetworkProfiles.differentials(ctx));
    PrePopulatedValidationSupport support = TerminologyChain.prePopulated(ctx, network);
    ValidationSupportChain chain = TerminologyChain.build(ctx, support, List.of(), terminology::conceptMaps);
    NetworkProfiles.withSnapshots(ctx, chain).forEach(support::addStructureDefinition);
    chain.invalidateCaches();
    ProfileValidator validator = new ProfileValidator(ctx, chain);
    long t1 = System.nanoTime();
    List<Resource> claimed = new ArrayList<>();
    for (String name : List.of("Patient-rb-example-patient", "ServiceRequest-rb-example-order",
        "ImagingStudy-rb-example-study", "DiagnosticReport-rb-example-report")) {
      claimed.add((Resource) ctx.newJsonParser().parseResource(Files.readString(examples.resolve(name + ".json"))));
    }
    for (Resource r : claimed) {
      long s = System.nanoTime();
      int errors = (int) validator.validate(r, List.of()).getMessages().stream()
          .filter(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal()).count();
      System.out.printf("first validation of %-17s %7.1f ms (%d errors)%n", r.fhirType(), (System.nanoTime() - s) / 1e6, errors);
    }
    long t2 = System.nanoTime();
    System.out.printf("chain, snapshots and validator built in %.0f ms; first validations %.0f ms%n",
        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    // warm the JIT, then measure round-robin over the four types
    for (int i = 0; i < 500; i++) {
      validator.validate(claimed.get(i % claimed.size()), List.of());
    }
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("heap in use after warm-up (after GC): %d MB (max %d MB)%n",
        (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
    long[][] nanos = new long[claimed.size()][iterations / claimed.size()];
    for (int i = 0; i < nanos[0].length * claimed.size(); i++) {
      Resource r = claimed.get(i % claimed.size());
      if (distinct) {
        // as in a real stream of writes: every order and study has its own accession number and UID
        r = r.copy();
        if (r instanceof org.hl7.fhir.r4.model.ServiceRequest sr) {
          sr.getIdentifierFirstRep().setValue("A-" + i);
        } else if (r instanceof org.hl7.fhir.r4.model.ImagingStudy is) {
          is.getIdentifierFirstRep().setValue("urn:oid:1.2.826.0.1.3680043.8.498." + (1000000 + i));
        }
      }
      long s = System.nanoTime();
      validator.validate(r, List.of());
      nanos[i % claimed.size()][i / claimed.size()] = System.nanoTime() - s;
    }
    System.out.printf("%-17s %6s %8s %8s %8s%n", "resource", "n", "p50 ms", "p90 ms", "p99 ms");
    for (int t = 0; t < claimed.size(); t++) {
      long[] n = nanos[t];
      Arrays.sort(n);
      System.out.printf("%-17s %6d %8.2f %8.2f %8.2f%n", claimed.get(t).fhirType(), n.length,
          BenchSupport.percentileMs(n, 0.50), BenchSupport.percentileMs(n, 0.90), BenchSupport.percentileMs(n, 0.99));
    }
  }
}
