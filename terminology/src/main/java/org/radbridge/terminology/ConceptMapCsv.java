package org.radbridge.terminology;

import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVRecord;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Enumerations.ConceptMapEquivalence;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.UriType;

/**
 * Reads a sending organisation's local procedure codes and their LOINC equivalents from CSV into a
 * ConceptMap (group source = the HIS's code system, target = LOINC).
 *
 * <pre>
 * # title: Centre A HIS procedure codes to LOINC
 * # source-system: https://centre-a.example.org/his/procedure-code
 * # organization: Centre A Community Health Centre
 * source_code,source_display,target_code,target_display,equivalence
 * CT-HEAD,CT brain plain,30799-1,,equivalent
 * </pre>
 *
 * The file name (without .csv) names the map: id {@code his-<name>} (kept as it is when it already
 * starts with {@code his-}). Every target code must be one of the network's imaging-procedure codes; an
 * empty target display is filled from them and a given one must match.
 */
public final class ConceptMapCsv {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private ConceptMapCsv() {}

  /**
   * @param name the file's base name
   * @param loinc the network's LOINC fragment, to check the target codes against
   * @throws IllegalArgumentException naming the line and what is wrong with it
   */
  public static ConceptMap read(String name, Reader csv, CodeSystem loinc) throws IOException {
    String id = name.startsWith("his-") ? name : "his-" + name;
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("ConceptMap CSV name '" + name + "' is not usable as a resource id");
    }
    CsvTable table = CsvTable.read(csv, name + ".csv");
    String sourceSystem = table.metadata().get("source-system");
    if (sourceSystem == null || sourceSystem.isBlank()) {
      throw new IllegalArgumentException(name + ".csv: the header comment '# source-system: <url>' is missing");
    }
    Map<String, String> loincDisplays = new HashMap<>();
    loinc.getConcept().forEach(c -> loincDisplays.put(c.getCode(), c.getDisplay()));

    ConceptMap map = new ConceptMap();
    map.setId(id);
    map.setUrl(NetworkUrls.conceptMap(id));
    map.setVersion(table.metadata().getOrDefault("version", ShippedTerminology.VERSION));
    map.setName(id.replaceAll("[^A-Za-z0-9]", "_"));
    map.setTitle(table.metadata().getOrDefault("title", "Local procedure codes of " + name + " to LOINC"));
    map.setStatus(PublicationStatus.ACTIVE);
    map.setPublisher(table.metadata().getOrDefault("organization", name));
    map.setSource(new UriType(sourceSystem));
    map.setTarget(new UriType(NetworkUrls.VS_IMAGING_PROCEDURE));
    ConceptMap.ConceptMapGroupComponent group = map.addGroup().setSource(sourceSystem).setTarget(NetworkUrls.LOINC);
    Set<String> seen = new HashSet<>();
    for (CSVRecord row : table.rows()) {
      String where = name + ".csv line " + row.getParser().getCurrentLineNumber();
      String source = field(row, "source_code", where);
      String target = field(row, "target_code", where);
      String known = loincDisplays.get(target);
      if (known == null) {
        throw new IllegalArgumentException(where + ": target_code " + target
            + " is not one of the network's imaging-procedure codes (" + NetworkUrls.VS_IMAGING_PROCEDURE + ")");
      }
      String display = row.isMapped("target_display") ? row.get("target_display") : "";
      if (!display.isBlank() && !display.equals(known)) {
        throw new IllegalArgumentException(where + ": target_display '" + display + "' is not LOINC's display '"
            + known + "' of " + target);
      }
      ConceptMapEquivalence equivalence;
      String eq = row.isMapped("equivalence") && !row.get("equivalence").isBlank() ? row.get("equivalence") : "equivalent";
      try {
        equivalence = ConceptMapEquivalence.fromCode(eq);
      } catch (Exception e) {
        throw new IllegalArgumentException(where + ": equivalence '" + eq + "' is not a FHIR R4 ConceptMapEquivalence");
      }
      if (!seen.add(source + "|" + target)) {
        throw new IllegalArgumentException(where + ": " + source + " -> " + target + " is listed twice");
      }
      ConceptMap.SourceElementComponent element = group.getElement().stream()
          .filter(e -> e.getCode().equals(source)).findFirst()
          .orElseGet(() -> group.addElement().setCode(source)
              .setDisplay(row.isMapped("source_display") ? blankToNull(row.get("source_display")) : null));
      element.addTarget().setCode(target).setDisplay(known).setEquivalence(equivalence);
    }
    if (group.getElement().isEmpty()) {
      throw new IllegalArgumentException(name + ".csv has no mappings");
    }
    return map;
  }

  private static String field(CSVRecord row, String column, String where) {
    if (!row.isMapped(column)) {
      throw new IllegalArgumentException(where + ": the header has no column '" + column + "'");
    }
    String v = row.get(column);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(where + ": " + column + " is empty");
    }
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
