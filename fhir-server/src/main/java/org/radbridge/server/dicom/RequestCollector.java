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

/**
 * Collects one DIMSE request from PixelMed's P-DATA PDUs: the command, then its data set — a
 * C-STORE's streamed to a temp file behind a Part 10 meta header (so large instances never sit in
 * the heap), other data sets in memory. PixelMed's ReceivedDataHandler cannot be subclassed
 * outside its package; CompositeResponseHandler can, with sendPDataIndication replaced whole.
 */
final class RequestCollector extends CompositeResponseHandler {
  private final Association association;
  private final InstanceFiles files;
  private final ByteArrayOutputStream command = new ByteArrayOutputStream();
  AttributeList commandList;
  int commandField = -1;
  byte presentationContextId;
  ByteArrayOutputStream data;
  Path tempFile;
  private OutputStream tempOut;
  /** A disk problem while streaming: answered 0xA700 once the data set has been read off the network. */
  IOException storageError;

  RequestCollector(Association association, InstanceFiles files) {
    this.association = association;
    this.files = files;
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
        if (commandField == MessageServiceElementCommand.C_STORE_RQ) {
          writeStoreFragment(pdv.getValue());
        } else {
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
    if (storageError != null) {
      return; // keep reading the network; the answer is 0xA700
    }
    try {
      if (tempOut == null) {
        tempFile = files.newTemp();
        tempOut = new BufferedOutputStream(Files.newOutputStream(tempFile), 1 << 16);
        String ts = association.getTransferSyntaxForPresentationContextID(presentationContextId);
        tempOut.write(InstanceFiles.metaHeader(commandString(TagFromName.AffectedSOPClassUID),
            commandString(TagFromName.AffectedSOPInstanceUID), ts, association.getCallingAETitle()));
      }
      tempOut.write(bytes);
    } catch (Exception e) {
      storageError = e instanceof IOException io ? io : new IOException(e);
      closeQuietly();
    }
  }

  private void closeTemp() {
    if (tempOut == null) {
      return;
    }
    try {
      tempOut.close();
    } catch (IOException e) {
      storageError = e;
    }
    tempOut = null;
  }

  void closeQuietly() {
    try {
      if (tempOut != null) {
        tempOut.close();
      }
    } catch (IOException ignored) {
      // the temp file is deleted by the caller
    }
    tempOut = null;
  }
}
