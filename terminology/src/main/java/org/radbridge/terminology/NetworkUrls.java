package org.radbridge.terminology;

/** Canonical URLs and code systems the network's conformance resources use (DESIGN.md, "Identifiers"). */
public final class NetworkUrls {
  /** Canonical base of every network conformance resource. */
  public static final String BASE = "https://radbridge.org/fhir";
  public static final String LOINC = "http://loinc.org";
  public static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  public static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
  public static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";

  public static final String VS_IMAGING_PROCEDURE = BASE + "/ValueSet/rb-imaging-procedure";
  public static final String VS_MODALITY = BASE + "/ValueSet/rb-modality";
  public static final String VS_REPORT_CATEGORY = BASE + "/ValueSet/rb-report-category";
  /** Tags on what was accepted but needs a person: unmapped-code, profile-failed. */
  public static final String WORK_ITEM = BASE + "/CodeSystem/work-item";

  private NetworkUrls() {}

  public static String structureDefinition(String id) {
    return BASE + "/StructureDefinition/" + id;
  }

  public static String conceptMap(String id) {
    return BASE + "/ConceptMap/" + id;
  }
}
