package org.radbridge.terminology;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVRecord;

/**
 * The DICOM modality codes the network ships (DICOM PS3.16 CID 33: the acquisition modalities of
 * CID 29 and the non-acquisition ones of CID 32, in DCM), read once from
 * {@code radbridge/terminology/dcm-cid33-modalities.csv}. ValueSet {@code rb-modality} enumerates
 * exactly these, so a mapper can tell whether a Modality (0008,0060) value satisfies its binding
 * without a terminology service.
 */
public final class DicomModalities {
  static final String CSV = "radbridge/terminology/dcm-cid33-modalities.csv";
  private static final List<CSVRecord> ROWS = CsvTable.classpath(CSV).rows();
  private static final Set<String> CODES = codes(ROWS);

  private DicomModalities() {}

  /** Whether {@code code} is in ValueSet rb-modality (case-sensitive, as DCM is). */
  public static boolean contains(String code) {
    return code != null && CODES.contains(code);
  }

  public static Set<String> codes() {
    return CODES;
  }

  static List<CSVRecord> rows() {
    return ROWS;
  }

  private static Set<String> codes(List<CSVRecord> rows) {
    Set<String> codes = new LinkedHashSet<>();
    for (CSVRecord row : rows) {
      if (!codes.add(row.get("code"))) {
        throw new IllegalStateException(CSV + " lists " + row.get("code") + " twice");
      }
    }
    return Set.copyOf(codes);
  }
}
