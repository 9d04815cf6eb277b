package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.MessageServiceElementCommand;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.util.unit.DataSize;

/**
 * Collects one DIMSE request from PixelMed's P-DATA PDUs: the command, then its data set — a
 * C-STORE's streamed to a temp file behind a Part 10 meta header (so large instances never sit in
 * the heap), other data sets in memory. PixelMed's ReceivedDataHandler cannot be subclassed
 * outside its package; CompositeResponseHandler can, with sendPDataIndication replaced whole.
 *
 * <p>Bounded while it streams: a C-STORE data set past {@code radbridge.dicom.listener.max-data-set-size},
 * or one that would take the disk below {@code radbridge.dicom.min-free-space}, stops being written
 * at once (its temp file deleted) and is read off the network to its end, to be answered 0xA700;
 * a command set over 64 KiB ends the association, another data set over 1 MiB (a C-FIND
 * identifier) is answered 0xA700 too. {@link #discard()} removes the temp file of a request that
 * never completed (an aborted association).
 */
final class RequestCollector extends CompositeResponseHandler {
  private static final int MAX_COMMAND = 64 * 1024;
  private static final int MAX_IN_MEMORY = 1024 * 1024;
  /** How often (bytes written) free space is looked at again while a data set streams in. */
  private static final long FREE_SPACE_STEP = 8L * 1024 * 1024;

  private final Association association;
  private final InstanceFiles files;
  private final long maxDataSet;
  private final long minFreeSpace;
  private final ByteArrayOutputStream command = new ByteArrayOutputStream();
  AttributeList commandList;
  int commandField = -1;
  byte presentationContextId;
  ByteArrayOutputStream data;
  Path tempFile;
  private OutputStream tempOut;
  private long received;
  private long nextFreeSpaceCheck;
  /** Why the data set is not kept (too large, disk full or failing): the answer once it has been read off the network. */
  StoreStatus refusal;

  RequestCollector(Association association, InstanceFiles files, long maxDataSet, long minFreeSpace) {
    this.association = association;
    this.files = files;
    this.maxDataSet = maxDataSet;
    this.minFreeSpace = minFreeSpace;
  }

  @Override
  protected void evaluateStatusAndSetSuccess(AttributeList list) {
    // requests, not responses: nothing to evaluate
  }

  @Override
  public void sendPDataIndication(PDataPDU pdata, Association a) throws DicomNetworkException, com.pixelmed.dicom.DicomException, IOException {
    for (Object o : pdata.getPDVList()) {
      PresentationDataValue pdv = (PresentationDataValue) o;
      presentationContextId = pdv.getPresentationContextID();
      if (pdv.isCommand()) {
        if (command.size() + pdv.getValue().length > MAX_COMMAND) {
          throw new IOException("a DIMSE command set over " + MAX_COMMAND + " bytes");
        }
        command.write(pdv.getValue());
        if (pdv.isLastFragment()) {
          commandList = CompositeResponseHandler.getAttributeListFromCommandOrData(command.toByteArray(),
              TransferSyntax.ImplicitVRLittleEndian);
          commandField = Attribute.getSingleIntegerValueOrDefault(commandList, TagFromName.CommandField, -1);
          int dataSetType = Attribute.getSingleIntegerValueOrDefault(commandList, TagFromName.CommandDataSetType, 0x0101);
          if (dataSetType == 0x0101) {
            setDone(true); // no data set follows (C-ECHO, C-CANCEL)
          }
        }
      } else {
        if (commandList == null) {
          throw new IOException("a data set fragment before its command");
        }
        received += pdv.getValue().length;
        if (commandField == MessageServiceElementCommand.C_STORE_RQ) {
          writeStoreFragment(pdv.getValue());
        } else if (refusal == null && received > MAX_IN_MEMORY) {
          refusal = StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "The data set is over " + MAX_IN_MEMORY + " bytes");
          data = null;
        } else if (refusal == null) {
          if (data == null) {
            data = new ByteArrayOutputStream();
          }
          data.write(pdv.getValue());
        }
        if (pdv.isLastFragment()) {
          closeTemp();
          setDone(true);
        }
      }
    }
  }

  String commandString(com.pixelmed.dicom.AttributeTag tag) {
    String v = Attribute.getSingleStringValueOrNull(commandList, tag);
    return v == null ? "" : v.trim();
  }

  private void writeStoreFragment(byte[] bytes) {
    if (refusal != null) {
      return; // keep reading the network; the answer is the refusal
    }
    if (received > maxDataSet) {
      refuse(StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "The data set is larger than the limit of "
          + DataSize.ofBytes(maxDataSet).toMegabytes() + " MB"));
      return;
    }
    try {
      if (tempOut == null) {
        tempFile = files.newTemp();
        tempOut = new BufferedOutputStream(Files.newOutputStream(tempFile), 1 << 16);
        String ts = association.getTransferSyntaxForPresentationContextID(presentationContextId);
        tempOut.write(InstanceFiles.metaHeader(commandString(TagFromName.AffectedSOPClassUID),
            commandString(TagFromName.AffectedSOPInstanceUID), ts, association.getCallingAETitle()));
      }
      if (received >= nextFreeSpaceCheck) {
        long usable = Files.getFileStore(files.root()).getUsableSpace();
        if (usable - FREE_SPACE_STEP < minFreeSpace) {
          refuse(StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Free space " + DataSize.ofBytes(usable).toMegabytes()
              + " MB is below the floor of " + DataSize.ofBytes(minFreeSpace).toMegabytes() + " MB"));
          return;
        }
        nextFreeSpaceCheck = received + FREE_SPACE_STEP;
      }
      tempOut.write(bytes);
    } catch (Exception e) {
      refuse(StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Could not write the instance: " + e.getMessage()));
    }
  }

  /** The data set will not be kept: its temp file goes now, the rest of it is read and dropped. */
  private void refuse(StoreStatus why) {
    refusal = why;
    discard();
  }

  private void closeTemp() {
    if (tempOut == null) {
      return;
    }
    try {
      tempOut.close();
    } catch (IOException e) {
      refuse(StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, "Could not write the instance: " + e.getMessage()));
    }
    tempOut = null;
  }

  /** Closes and deletes the temp file, if any (a refused data set, an association that ended mid-request). */
  void discard() {
    try {
      if (tempOut != null) {
        tempOut.close();
      }
    } catch (IOException ignored) {
      // deleted next
    }
    tempOut = null;
    if (tempFile != null) {
      try {
        Files.deleteIfExists(tempFile);
      } catch (IOException ignored) {
        // removed at the next start (InstanceFiles.clearIncoming)
      }
      tempFile = null;
    }
  }
}
