package org.radbridge.terminology;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVRecord;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * The terminology the network ships with: the imaging-procedure codes (a fragment of LOINC, from
 * LOINC's radiology playbook, each with the modality it is done on), the DICOM modalities (CID 33:
 * acquisition CID 29 and non-acquisition CID 32, a fragment of DCM; {@link DicomModalities}), value
 * sets for report category, order priority and the workflow statuses, and the sample HIS-to-LOINC
 * ConceptMap. The code lists are CSV files under {@code radbridge/terminology/}; the value sets
 * over HL7 code systems are plain JSON there.
 */
public final class ShippedTerminology {
  public static final String VERSION = "0.1.0";
  private static final String DIR = "radbridge/terminology/";
  private static final List<String> JSON_FILES = List.of(
      "ValueSet-rb-report-category.json", "ValueSet-rb-order-priority.json", "ValueSet-rb-order-status.json",
      "ValueSet-rb-study-status.json", "ValueSet-rb-report-status.json", "CodeSystem-rb-his-centre-a.json",
      "CodeSystem-rb-endpoint-connection-type.json", "CodeSystem-rb-organization-kind.json",
      "CodeSystem-rb-work-item.json");
  private static final List<String> CONCEPT_MAP_FILES = List.of("conceptmaps/his-centre-a.csv");

  private final List<CodeSystem> codeSystems;
  private final List<ValueSet> valueSets;
  private final List<ConceptMap> conceptMaps;

  private ShippedTerminology(List<CodeSystem> codeSystems, List<ValueSet> valueSets, List<ConceptMap> conceptMaps) {
    this.codeSystems = List.copyOf(codeSystems);
    this.valueSets = List.copyOf(valueSets);
    this.conceptMaps = List.copyOf(conceptMaps);
  }

  /** Reads every shipped file; a broken file is a build error, so this throws. */
  public static ShippedTerminology load(FhirContext ctx) {
    List<CodeSystem> codeSystems = new ArrayList<>();
    List<ValueSet> valueSets = new ArrayList<>();
    CodeSystem loinc = imagingProcedureCodes();
    codeSystems.add(loinc);
    valueSets.add(allOf(loinc, "rb-imaging-procedure", "RadBridgeImagingProcedure", "Imaging procedures",
        "Radiology procedures the network orders and reports, coded in LOINC (radiology playbook)."));
    CodeSystem dcm = modalityCodes();
    codeSystems.add(dcm);
    valueSets.add(allOf(dcm, "rb-modality", "RadBridgeModality", "DICOM modalities",
        "Every value Modality (0008,0060) may take per DICOM PS3.16 CID 33 (Modality): the acquisition"
            + " modalities of CID 29 and the non-acquisition ones of CID 32 (SR, SEG, RTDOSE, RTPLAN, KO, PR,"
            + " DOC, OT, ...), coded in DCM."));
    for (String file : JSON_FILES) {
      MetadataResource r = (MetadataResource) ctx.newJsonParser().parseResource(text(DIR + file));
      if (r instanceof CodeSystem cs) {
        codeSystems.add(cs);
      } else {
        valueSets.add((ValueSet) r);
      }
    }
    List<ConceptMap> conceptMaps = new ArrayList<>();
    for (String file : CONCEPT_MAP_FILES) {
      String name = file.substring(file.lastIndexOf('/') + 1, file.length() - ".csv".length());
      try (InputStream in = resource(DIR + file)) {
        conceptMaps.add(ConceptMapCsv.read(name, new InputStreamReader(in, StandardCharsets.UTF_8), loinc));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ShippedTerminology(codeSystems, valueSets, conceptMaps);
  }

  public List<CodeSystem> codeSystems() { return codeSystems; }
  public List<ValueSet> valueSets() { return valueSets; }
  public List<ConceptMap> conceptMaps() { return conceptMaps; }

  /** Every shipped resource, CodeSystems first. */
  public List<MetadataResource> all() {
    List<MetadataResource> all = new ArrayList<>(codeSystems);
    all.addAll(valueSets);
    all.addAll(conceptMaps);
    return Collections.unmodifiableList(all);
  }

  /** The shipped LOINC fragment. */
  public CodeSystem loinc() {
    return codeSystems.stream().filter(cs -> NetworkUrls.LOINC.equals(cs.getUrl())).findFirst().orElseThrow();
  }

  public Optional<MetadataResource> byUrl(String url) {
    return all().stream().filter(r -> url.equals(r.getUrl())).findFirst();
  }

  static CodeSystem imagingProcedureCodes() {
    CodeSystem cs = fragment("loinc-imaging-procedures", NetworkUrls.LOINC, "LOINC",
        "LOINC (imaging procedures used by the network)",
        "The LOINC radiology procedure codes the network uses, each display checked against LOINC's"
            + " published record (Long Common Name); property modality gives the DICOM modality (DCM).");
    cs.setCopyright("This material contains content from LOINC (http://loinc.org). LOINC is copyright"
        + " Regenstrief Institute, Inc. and the LOINC Committee and is available at no cost under the license at"
        + " http://loinc.org/license.");
    cs.addProperty().setCode("modality").setUri(NetworkUrls.DCM)
        .setDescription("DICOM acquisition modality (DCM, CID 29) the procedure is performed on")
        .setType(CodeSystem.PropertyType.CODING);
    Map<String, CodeSystem.ConceptDefinitionComponent> seen = new LinkedHashMap<>();
    for (CSVRecord row : CsvTable.classpath(DIR + "loinc-imaging-procedures.csv").rows()) {
      String code = row.get("code");
      if (seen.containsKey(code)) {
        throw new IllegalStateException("loinc-imaging-procedures.csv lists " + code + " twice");
      }
      CodeSystem.ConceptDefinitionComponent c = cs.addConcept().setCode(code).setDisplay(row.get("display"));
      c.addProperty().setCode("modality").setValue(new Coding(NetworkUrls.DCM, row.get("modality"), null));
      seen.put(code, c);
    }
    return cs;
  }

  static CodeSystem modalityCodes() {
    CodeSystem cs = fragment("dcm-modalities", NetworkUrls.DCM, "DCM",
        "DICOM Controlled Terminology (modalities)",
        "The modalities of DICOM PS3.16 CID 33 (acquisition CID 29 and non-acquisition CID 32), from the DICOM"
            + " Controlled Terminology (DCM).");
    cs.setCopyright("DICOM is the registered trademark of NEMA; the DICOM Controlled Terminology is published in"
        + " DICOM PS3.16.");
    for (CSVRecord row : DicomModalities.rows()) {
      CodeSystem.ConceptDefinitionComponent c = cs.addConcept().setCode(row.get("code")).setDisplay(row.get("display"));
      if (row.isMapped("definition") && !row.get("definition").isBlank()) {
        c.setDefinition(row.get("definition"));
      }
    }
    return cs;
  }

  private static CodeSystem fragment(String id, String url, String name, String title, String description) {
    CodeSystem cs = new CodeSystem();
    cs.setId(id);
    cs.setUrl(url);
    cs.setName(name);
    cs.setTitle(title);
    cs.setStatus(PublicationStatus.ACTIVE);
    cs.setExperimental(false);
    cs.setPublisher("RadBridge");
    cs.setDescription(description);
    cs.setCaseSensitive(true);
    // only the codes the network uses: other codes of the system are not errors, just unknown here
    cs.setContent(CodeSystem.CodeSystemContentMode.FRAGMENT);
    return cs;
  }

  /** A value set that enumerates every concept of a shipped fragment, with its display. */
  private static ValueSet allOf(CodeSystem cs, String id, String name, String title, String description) {
    ValueSet vs = new ValueSet();
    vs.setId(id);
    vs.setUrl(NetworkUrls.BASE + "/ValueSet/" + id);
    vs.setVersion(VERSION);
    vs.setName(name);
    vs.setTitle(title);
    vs.setStatus(PublicationStatus.ACTIVE);
    vs.setExperimental(false);
    vs.setPublisher("RadBridge");
    vs.setDescription(description);
    ValueSet.ConceptSetComponent include = vs.getCompose().addInclude().setSystem(cs.getUrl());
    for (CodeSystem.ConceptDefinitionComponent c : cs.getConcept()) {
      include.addConcept().setCode(c.getCode()).setDisplay(c.getDisplay());
    }
    return vs;
  }

  private static InputStream resource(String path) {
    InputStream in = ShippedTerminology.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("Missing classpath resource " + path);
    }
    return in;
  }

  private static String text(String path) {
    try (InputStream in = resource(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
