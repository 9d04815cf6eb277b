package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.PresentationContext;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedList;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code dicom-cstore}: sends one stored instance file by C-STORE to the DICOM node
 * named by the row's destination (an AE title, looked up in the network directory at delivery
 * time, so an edited Endpoint applies), in the transfer syntax it was stored in, no transcoding.
 * PixelMed's StorageSOPClassSCU hides the response status, so this is a small SCU of its own:
 * only a Success (or warning) status acknowledges the row.
 */
@Component
public class CStoreForwarding implements DeliveryHandler {
  public static final String KIND = "dicom-cstore";
  private final NetworkDirectory directory;
  private final RadBridgeProperties props;

  public CStoreForwarding(NetworkDirectory directory, RadBridgeProperties props) {
    this.directory = directory;
    this.props = props;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The payload of a forwarding row: the stored file. */
  public static String payload(Path file) {
    return file.toString();
  }

  @Override
  public void deliver(OutboxRow row) throws Exception {
    NetworkDirectory.DicomNode node = directory.dicomNode(row.destination())
        .orElseThrow(() -> new IllegalStateException("no active DICOM node with AE title " + row.destination()));
    Path file = Path.of(row.payload());
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      DicomInputStream din = new DicomInputStream(in);
      AttributeList meta = new AttributeList();
      meta.readOnlyMetaInformationHeader(din);
      String sopClass = Attribute.getSingleStringValueOrNull(meta, TagFromName.MediaStorageSOPClassUID);
      String sopInstance = Attribute.getSingleStringValueOrNull(meta, TagFromName.MediaStorageSOPInstanceUID);
      String ts = Attribute.getSingleStringValueOrNull(meta, TagFromName.TransferSyntaxUID);
      LinkedList<Object> transferSyntaxes = new LinkedList<>();
      transferSyntaxes.add(ts);
      LinkedList<Object> contexts = new LinkedList<>();
      contexts.add(new PresentationContext((byte) 1, sopClass, transferSyntaxes));
      Association a = AssociationFactory.createNewAssociation(node.host(), node.port(), node.aeTitle(),
          props.getDicom().getAeTitle(), contexts, null, false);
      int[] answered = {-1};
      try {
        byte pcid = a.getSuitablePresentationContextID(sopClass, ts);
        a.setReceivedDataHandler(new CompositeResponseHandler() {
          @Override
          protected void evaluateStatusAndSetSuccess(AttributeList list) {
            answered[0] = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Status, 0xFFFF);
            success = answered[0] == 0 || (answered[0] & 0xF000) == 0xB000;
          }
        });
        a.send(pcid, new CStoreRequestCommandMessage(sopClass, sopInstance).getBytes(), null);
        try (OutputStream out = a.getAssociationOutputStream(pcid)) {
          din.transferTo(out);
        }
        a.waitForCommandPDataPDUs();
        a.release();
      } catch (Exception e) {
        try {
          a.abort();
        } catch (Exception ignored) {
          // already failing
        }
        throw e;
      }
      if (answered[0] != 0 && (answered[0] & 0xF000) != 0xB000) {
        throw new IllegalStateException("C-STORE of " + sopInstance + " to " + node.aeTitle() + " answered 0x"
            + Integer.toHexString(answered[0]));
      }
    }
  }
}
