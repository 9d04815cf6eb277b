package org.radbridge.server.dicom;

/** The C-STORE status RadBridge answers (PS3.4 B.2.3) and why. */
public record StoreStatus(int code, String comment, String studyInstanceUid, boolean duplicate) {
  public static final int SUCCESS = 0x0000;
  /** Refused: out of resources (disk full, below the free-space floor, or RadBridge still starting): send again later. */
  public static final int OUT_OF_RESOURCES = 0xA700;
  /** Error: data set does not match SOP class (or lacks its UIDs). */
  public static final int DATASET_MISMATCH = 0xA900;
  /** Error: cannot understand (the data set cannot be parsed). */
  public static final int CANNOT_UNDERSTAND = 0xC000;

  public boolean isSuccess() {
    return code == SUCCESS;
  }

  static StoreStatus failure(int code, String comment) {
    return new StoreStatus(code, comment, null, false);
  }
}
