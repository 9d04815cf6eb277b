package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.readiness.ReadinessGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The C-STORE handler's work, independent of the network stack: checks the data set against the
 * command, writes the file atomically and commits the instance row, and only then answers Success.
 * A failure leaves no file and no row: 0xA700 when the disk is below the free-space floor or RadBridge
 * is not ready yet ({@link ReadinessGate}: its studies could not be validated), 0xA900
 * when the data set does not match the command or lacks its UIDs, 0xC000 when it cannot be parsed.
 * The same instance again is a Success that changes nothing.
 */
@Component
public class DicomStorage {
  private static final Logger log = LoggerFactory.getLogger(DicomStorage.class);

  private final InstanceRows rows;
  private final InstanceFiles files;
  private final RadBridgeProperties props;
  private final ReadinessGate readiness;

  public DicomStorage(InstanceRows rows, RadBridgeProperties props, ReadinessGate readiness) {
    this.readiness = readiness;
    this.rows = rows;
    this.props = props;
    this.files = new InstanceFiles(Path.of(props.getDataDir()).resolve("dicom"));
    try {
      int left = files.clearIncoming();
      if (left > 0) {
        log.info("Removed {} partly received DICOM instance(s) left from the last run", left);
      }
    } catch (IOException e) {
      log.warn("Partly received DICOM instances in {} could not be removed: {}", files.incoming(), e.toString());
    }
  }

  public InstanceFiles files() {
    return files;
  }

  /**
   * @param senderOrg the key of the sending node's organisation (null: none known)
   * @param dataset the data set bytes as received, in {@code transferSyntaxUid}, without meta header
   */
  public StoreStatus store(String callingAe, String senderOrg, String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, byte[] dataset) {
    Path tmp;
    try {
      tmp = files.writeTemp(sopClassUid, sopInstanceUid, transferSyntaxUid, callingAe, dataset);
    } catch (Exception e) {
      return StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Could not write the instance: " + e.getMessage());
    }
    return storeFile(callingAe, senderOrg, sopClassUid, sopInstanceUid, tmp);
  }

  /**
   * Stores a received instance from a complete Part 10 temp file ({@link InstanceFiles#newTemp}), which is
   * moved into place or deleted: nothing of a failed instance remains.
   */
  public StoreStatus storeFile(String callingAe, String senderOrg, String sopClassUid, String sopInstanceUid, Path tmp) {
    Path target = null;
    try {
      if (!readiness.isReady()) {
        return StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "RadBridge is starting; send the instance again shortly");
      }
      AttributeList list = new AttributeList();
      try {
        // the header attributes are all the mapping needs: stop before the pixel data
        list.read(tmp.toFile(), TagFromName.PixelData);
      } catch (Exception e) {
        return StoreStatus.failure(StoreStatus.CANNOT_UNDERSTAND, "Data set cannot be parsed: " + e.getMessage());
      }
      list.removeMetaInformationHeaderAttributes();
      if (list.isEmpty()) {
        // PixelMed logs what it could not read and returns what it could: nothing here
        return StoreStatus.failure(StoreStatus.CANNOT_UNDERSTAND, "Data set cannot be parsed: no attribute could be read");
      }
      DicomInstance instance = DicomAttributes.instance(list);
      String unsafe = unsafeUid(instance);
      if (unsafe != null) {
        return StoreStatus.failure(StoreStatus.DATASET_MISMATCH, unsafe);
      }
      String problem = mismatch(instance, sopClassUid, sopInstanceUid);
      if (problem != null) {
        return StoreStatus.failure(StoreStatus.DATASET_MISMATCH, problem);
      }
      if (DicomUids.hasLeadingZero(instance.studyInstanceUid()) || DicomUids.hasLeadingZero(instance.seriesInstanceUid())
          || DicomUids.hasLeadingZero(sopInstanceUid)) {
        log.warn("C-STORE of {} from {}: a UID has a component with a leading zero (study {}, series {}); stored,"
            + " and the ImagingStudy is tagged", sopInstanceUid, callingAe, instance.studyInstanceUid(), instance.seriesInstanceUid());
      }
      if (rows.exists(sopInstanceUid)) {
        return new StoreStatus(StoreStatus.SUCCESS, "already stored", instance.studyInstanceUid(), true);
      }
      long floor = props.getDicom().getMinFreeSpace().toBytes();
      long usable = java.nio.file.Files.getFileStore(files.root()).getUsableSpace();
      if (usable - java.nio.file.Files.size(tmp) < floor) {
        return StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Free space " + DataSize.ofBytes(usable).toMegabytes()
            + " MB is below the floor of " + DataSize.ofBytes(floor).toMegabytes() + " MB");
      }
      target = files.pathOf(instance.studyInstanceUid(), instance.seriesInstanceUid(), sopInstanceUid);
      String transferSyntax = Attribute.getSingleStringValueOrNull(readMeta(tmp), TagFromName.TransferSyntaxUID);
      long size = files.commit(tmp, target);
      boolean inserted = rows.insert(instance, transferSyntax, callingAe, senderOrg, target.toString(), size);
      return new StoreStatus(StoreStatus.SUCCESS, inserted ? "stored" : "already stored", instance.studyInstanceUid(),
          !inserted);
    } catch (IOException e) {
      log.warn("C-STORE of {} from {} failed writing: {}", sopInstanceUid, callingAe, e.toString());
      deleteQuietly(target);
      return StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Could not write the instance: " + e.getMessage());
    } catch (Exception e) {
      log.warn("C-STORE of {} from {} failed: {}", sopInstanceUid, callingAe, e.toString());
      deleteQuietly(target);
      return StoreStatus.failure(StoreStatus.CANNOT_UNDERSTAND, "Could not store the instance: " + e.getMessage());
    } finally {
      deleteQuietly(tmp); // gone already when it was moved into place
    }
  }

  private static AttributeList readMeta(Path file) throws IOException, com.pixelmed.dicom.DicomException {
    AttributeList meta = new AttributeList();
    meta.readOnlyMetaInformationHeader(file.toFile());
    return meta;
  }

  private static String mismatch(DicomInstance i, String sopClassUid, String sopInstanceUid) {
    if (blank(i.sopInstanceUid()) || blank(i.sopClassUid()) || blank(i.studyInstanceUid()) || blank(i.seriesInstanceUid())) {
      return "Data set lacks SOP Class, SOP Instance, Study Instance or Series Instance UID";
    }
    if (!i.sopInstanceUid().equals(sopInstanceUid)) {
      return "SOP Instance UID " + i.sopInstanceUid() + " in the data set differs from " + sopInstanceUid + " in the command";
    }
    if (!i.sopClassUid().equals(sopClassUid)) {
      return "SOP Class UID " + i.sopClassUid() + " in the data set differs from " + sopClassUid + " in the command";
    }
    return null;
  }

  /** Why a UID of the instance cannot name its file (it would be refused, not sanitised), or null. */
  private static String unsafeUid(DicomInstance i) {
    String[][] uids = {{"Study Instance UID", i.studyInstanceUid()}, {"Series Instance UID", i.seriesInstanceUid()},
        {"SOP Instance UID", i.sopInstanceUid()}};
    for (String[] uid : uids) {
      if (uid[1] == null) {
        continue; // missing: mismatch() names it
      }
      String problem = DicomUids.problem(uid[1]);
      if (problem != null) {
        return uid[0] + " '" + printable(uid[1]) + "' " + problem;
      }
    }
    return null;
  }

  /** At most 64 characters of a sender's value, control characters shown as '?'. */
  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      java.nio.file.Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // nothing was committed for it; a leftover file is overwritten by the next attempt
    }
  }
}
