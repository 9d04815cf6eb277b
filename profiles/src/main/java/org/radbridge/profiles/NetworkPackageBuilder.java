package org.radbridge.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.radbridge.terminology.NetworkUrls;
import org.radbridge.terminology.ShippedTerminology;
import org.radbridge.terminology.TerminologyChain;

/**
 * Build step (exec-maven-plugin, phase process-classes): generates the snapshots of the network's
 * profiles with HAPI, checks every StructureDefinition and every example with HAPI's validator, and
 * writes the FHIR NPM package {@code package.tgz} ({@code package/package.json}, {@code .index.json},
 * the conformance resources, {@code package/example/}). Any error fails the build.
 *
 * <p>The LOINC and DCM fragments are not packaged: they are the server's partial copies of external
 * code systems; the package's ValueSets enumerate the codes with their displays.
 */
public final class NetworkPackageBuilder {
  public static final String PACKAGE_NAME = "org.radbridge.fhir";

  private NetworkPackageBuilder() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "target/package.tgz");
    String version = args.length > 1 ? args[1] : ShippedTerminology.VERSION;
    FhirContext ctx = FhirContext.forR4Cached();
    long start = System.nanoTime();
    Map<String, Resource> files = build(ctx);
    Files.createDirectories(out.toAbsolutePath().getParent());
    write(ctx, files, version, out);
    System.out.printf("FHIR package %s#%s: %d resources, checked with HAPI's validator, written to %s in %d ms%n",
        PACKAGE_NAME, version, files.size(), out, (System.nanoTime() - start) / 1_000_000);
  }

  /** File name (under package/) to resource; throws when a profile or an example is not valid. */
  public static Map<String, Resource> build(FhirContext ctx) {
    ShippedTerminology terminology = ShippedTerminology.load(ctx);
    List<MetadataResource> network = new ArrayList<>(terminology.all());
    network.addAll(NetworkProfiles.differentials(ctx));
    PrePopulatedValidationSupport networkSupport = TerminologyChain.prePopulated(ctx, network);
    ValidationSupportChain chain = TerminologyChain.build(ctx, networkSupport, List.of(), terminology::conceptMaps);
    List<StructureDefinition> profiles = NetworkProfiles.withSnapshots(ctx, chain);
    profiles.forEach(networkSupport::addStructureDefinition);
    chain.invalidateCaches();
    ProfileValidator validator = new ProfileValidator(ctx, chain);

    List<String> problems = new ArrayList<>();
    Map<String, Resource> files = new LinkedHashMap<>();
    for (StructureDefinition sd : profiles) {
      check(validator.validate(sd, List.of()), "StructureDefinition/" + sd.getIdPart(), problems);
      files.put(fileName(sd), sd);
    }
    for (MetadataResource r : NetworkProfiles.searchParameters(ctx)) {
      check(validator.validate(r, List.of()), "SearchParameter/" + r.getIdPart(), problems);
      files.put(fileName(r), r);
    }
    for (MetadataResource r : terminology.all()) {
      if (NetworkUrls.LOINC.equals(r.getUrl()) || NetworkUrls.DCM.equals(r.getUrl())) {
        continue;
      }
      check(validator.validate(r, List.of()), r.fhirType() + "/" + r.getIdPart(), problems);
      files.put(fileName(r), r);
    }
    for (Resource example : NetworkProfiles.examples(ctx)) {
      check(validator.validate(example, List.of()), "example " + example.fhirType() + "/" + example.getIdPart(), problems);
      files.put("example/" + fileName(example), example);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("The network's conformance resources are not valid:\n  "
          + String.join("\n  ", problems));
    }
    return files;
  }

  private static void check(ValidationResult result, String what, List<String> problems) {
    for (SingleValidationMessage m : result.getMessages()) {
      if (m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()) {
        problems.add(what + " @ " + m.getLocationString() + ": " + m.getMessage());
      }
    }
  }

  private static String fileName(Resource r) {
    return r.fhirType() + "-" + r.getIdPart() + ".json";
  }

  private static void write(FhirContext ctx, Map<String, Resource> files, String version, Path out) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("package/package.json", packageJson(version).getBytes(StandardCharsets.UTF_8));
    entries.put("package/.index.json", indexJson(files).getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, Resource> f : files.entrySet()) {
      entries.put("package/" + f.getKey(),
          ctx.newJsonParser().setPrettyPrint(true).encodeResourceToString(f.getValue()).getBytes(StandardCharsets.UTF_8));
    }
    try (OutputStream file = Files.newOutputStream(out);
         GZIPOutputStream gzip = new GZIPOutputStream(file);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        entry.setModTime(0); // reproducible: the same sources give the same archive
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
  }

  private static String packageJson(String version) {
    return "{\n"
        + "  \"name\": \"" + PACKAGE_NAME + "\",\n"
        + "  \"version\": \"" + version + "\",\n"
        + "  \"description\": \"RadBridge teleradiology network: profiles for orders, studies, reports and patients,"
        + " their SearchParameters and value sets (FHIR R4)\",\n"
        + "  \"author\": \"RadBridge\",\n"
        + "  \"type\": \"fhir.ig\",\n"
        + "  \"canonical\": \"" + NetworkUrls.BASE + "\",\n"
        + "  \"url\": \"" + NetworkUrls.BASE + "\",\n"
        + "  \"fhirVersions\": [\"4.0.1\"],\n"
        + "  \"dependencies\": {\"hl7.fhir.r4.core\": \"4.0.1\"},\n"
        + "  \"license\": \"CC0-1.0\"\n"
        + "}\n";
  }

  /** The NPM package index (index-version 1) that FHIR tools read instead of opening every file. */
  private static String indexJson(Map<String, Resource> files) {
    StringBuilder sb = new StringBuilder("{\n  \"index-version\": 1,\n  \"files\": [");
    String sep = "\n";
    for (Map.Entry<String, Resource> f : files.entrySet()) {
      if (f.getKey().startsWith("example/")) {
        continue;
      }
      Resource r = f.getValue();
      sb.append(sep).append("    {\"filename\": ").append(quote(f.getKey()))
          .append(", \"resourceType\": ").append(quote(r.fhirType()))
          .append(", \"id\": ").append(quote(r.getIdPart()));
      if (r instanceof MetadataResource m) {
        sb.append(", \"url\": ").append(quote(m.getUrl()));
        if (m.hasVersion()) {
          sb.append(", \"version\": ").append(quote(m.getVersion()));
        }
      }
      if (r instanceof StructureDefinition sd) {
        sb.append(", \"kind\": ").append(quote(sd.getKind().toCode())).append(", \"type\": ").append(quote(sd.getType()));
      }
      sb.append('}');
      sep = ",\n";
    }
    return sb.append("\n  ]\n}\n").toString();
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
