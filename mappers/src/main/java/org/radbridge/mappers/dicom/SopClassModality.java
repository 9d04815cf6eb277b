package org.radbridge.mappers.dicom;

import java.util.Map;
import java.util.Optional;

/**
 * The Modality (0008,0060) a storage SOP class leaves no choice about, for an instance sent
 * without one: the IOD fixes it (an Enumerated Value of its series module, e.g. SR Document Series
 * → SR, RT Series of an RT Dose → RTDOSE) or the class exists for one modality only (CT Image →
 * CT). Classes that carry any modality (Secondary Capture, Encapsulated PDF/CDA, ...) are absent:
 * the caller uses OT ("Other") for them.
 */
public final class SopClassModality {
  /** The modality of the instances whose own is missing and not fixed by their SOP class. */
  public static final String OTHER = "OT";

  private static final String STORAGE = "1.2.840.10008.5.1.4.1.1.";
  private static final Map<String, String> BY_CLASS = Map.ofEntries(
      Map.entry(STORAGE + "1", "CR"),
      Map.entry(STORAGE + "1.1", "DX"), Map.entry(STORAGE + "1.1.1", "DX"),
      Map.entry(STORAGE + "1.2", "MG"), Map.entry(STORAGE + "1.2.1", "MG"),
      Map.entry(STORAGE + "1.3", "IO"), Map.entry(STORAGE + "1.3.1", "IO"),
      Map.entry(STORAGE + "2", "CT"), Map.entry(STORAGE + "2.1", "CT"), Map.entry(STORAGE + "2.2", "CT"),
      Map.entry(STORAGE + "3.1", "US"), Map.entry(STORAGE + "6.1", "US"), Map.entry(STORAGE + "6.2", "US"),
      Map.entry(STORAGE + "4", "MR"), Map.entry(STORAGE + "4.1", "MR"), Map.entry(STORAGE + "4.2", "MR"),
      Map.entry(STORAGE + "4.3", "MR"), Map.entry(STORAGE + "4.4", "MR"),
      // waveforms: the IOD's content constraints name the modality
      Map.entry(STORAGE + "9.1.1", "ECG"), Map.entry(STORAGE + "9.1.2", "ECG"), Map.entry(STORAGE + "9.1.3", "ECG"),
      Map.entry(STORAGE + "9.2.1", "HD"), Map.entry(STORAGE + "9.3.1", "EPS"), Map.entry(STORAGE + "9.4.1", "AU"),
      Map.entry(STORAGE + "9.6.1", "RESP"),
      // presentation states: Presentation Series
      Map.entry(STORAGE + "11.1", "PR"), Map.entry(STORAGE + "11.2", "PR"), Map.entry(STORAGE + "11.3", "PR"),
      Map.entry(STORAGE + "11.4", "PR"), Map.entry(STORAGE + "11.5", "PR"), Map.entry(STORAGE + "11.6", "PR"),
      Map.entry(STORAGE + "11.7", "PR"), Map.entry(STORAGE + "11.8", "PR"), Map.entry(STORAGE + "11.9", "PR"),
      Map.entry(STORAGE + "11.10", "PR"), Map.entry(STORAGE + "11.11", "PR"),
      Map.entry(STORAGE + "12.1", "XA"), Map.entry(STORAGE + "12.1.1", "XA"),
      Map.entry(STORAGE + "12.2", "RF"), Map.entry(STORAGE + "12.2.1", "RF"),
      Map.entry(STORAGE + "20", "NM"),
      // registration, fiducials, segmentation, real world value mapping: their series modules
      Map.entry(STORAGE + "66.1", "REG"), Map.entry(STORAGE + "66.2", "FID"), Map.entry(STORAGE + "66.3", "REG"),
      Map.entry(STORAGE + "66.4", "SEG"), Map.entry(STORAGE + "66.5", "SEG"), Map.entry(STORAGE + "67", "RWV"),
      Map.entry(STORAGE + "77.1.1", "ES"), Map.entry(STORAGE + "77.1.2", "GM"), Map.entry(STORAGE + "77.1.3", "SM"),
      Map.entry(STORAGE + "77.1.4", "XC"), Map.entry(STORAGE + "77.1.5.1", "OP"), Map.entry(STORAGE + "77.1.5.2", "OP"),
      Map.entry(STORAGE + "77.1.5.4", "OPT"), Map.entry(STORAGE + "77.1.6", "SM"),
      // structured reports: SR Document Series, except Key Object Selection (Key Object Document Series)
      Map.entry(STORAGE + "88.11", "SR"), Map.entry(STORAGE + "88.22", "SR"), Map.entry(STORAGE + "88.33", "SR"),
      Map.entry(STORAGE + "88.34", "SR"), Map.entry(STORAGE + "88.35", "SR"), Map.entry(STORAGE + "88.40", "SR"),
      Map.entry(STORAGE + "88.50", "SR"), Map.entry(STORAGE + "88.59", "KO"), Map.entry(STORAGE + "88.65", "SR"),
      Map.entry(STORAGE + "88.67", "SR"), Map.entry(STORAGE + "88.68", "SR"), Map.entry(STORAGE + "88.69", "SR"),
      Map.entry(STORAGE + "88.70", "SR"), Map.entry(STORAGE + "88.71", "SR"), Map.entry(STORAGE + "88.72", "SR"),
      Map.entry(STORAGE + "88.73", "SR"), Map.entry(STORAGE + "88.74", "SR"), Map.entry(STORAGE + "88.75", "SR"),
      Map.entry(STORAGE + "88.76", "SR"),
      Map.entry(STORAGE + "128", "PT"), Map.entry(STORAGE + "128.1", "PT"), Map.entry(STORAGE + "130", "PT"),
      // RT Series: Enumerated Values per IOD
      Map.entry(STORAGE + "481.1", "RTIMAGE"), Map.entry(STORAGE + "481.2", "RTDOSE"),
      Map.entry(STORAGE + "481.3", "RTSTRUCT"), Map.entry(STORAGE + "481.4", "RTRECORD"),
      Map.entry(STORAGE + "481.5", "RTPLAN"), Map.entry(STORAGE + "481.6", "RTRECORD"),
      Map.entry(STORAGE + "481.7", "RTRECORD"), Map.entry(STORAGE + "481.8", "RTPLAN"),
      Map.entry(STORAGE + "481.9", "RTRECORD"));

  private SopClassModality() {}

  /** The modality {@code sopClassUid} fixes; empty for a class that may carry several. */
  public static Optional<String> of(String sopClassUid) {
    return Optional.ofNullable(sopClassUid == null ? null : BY_CLASS.get(sopClassUid.trim()));
  }

  /** The instance's Modality as sent, else the one its SOP class fixes, else {@link #OTHER}. */
  public static String modalityOf(DicomInstance i) {
    if (i.modality() != null && !i.modality().isBlank()) {
      return i.modality().trim();
    }
    return of(i.sopClassUid()).orElse(OTHER);
  }
}
