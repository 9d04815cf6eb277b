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
import org.radbridge.server.listener.WriteWatchdog;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code dicom-cstore}: sends one stored instance file by C-STORE to the DICOM node
 * named by the row's destination (an AE title, looked up in the network directory at delivery
 * time, so an edited Endpoint applies; {@code dicoms://} over TLS), in the transfer syntax it was
 * stored in, no transcoding.
 * PixelMed's StorageSOPClassSCU hides the response status, so this is a small SCU of its own:
 * only a Success (or warning) status acknowledges the row. The receiving node must take every
 * write and answer within {@code radbridge.dicom.forward-timeout} (PixelMed bounds neither: its
 * socket and output stream are reached by reflection, the stream watched by the
 * {@link WriteWatchdog}); else the attempt fails and is retried.
 */
@Component
public class CStoreForwarding implements DeliveryHandler {
  public static final String KIND = "dicom-cstore";
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CStoreForwarding.class);
  private final NetworkDirectory directory;
  private final RadBridgeProperties props;
  private final WriteWatchdog watchdog;
  private final DicomTls tls;

  private final DicomAudit audit;

  public CStoreForwarding(NetworkDirectory directory, RadBridgeProperties props, WriteWatchdog watchdog, DicomTls tls,
      DicomAudit audit) {
    this.audit = audit;
    this.tls = tls;
    this.directory = directory;
    this.props = props;
    this.watchdog = watchdog;
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
    java.util.Optional<NetworkDirectory.DicomNode> found = directory.dicomNode(row.destination());
    String host = found.map(NetworkDirectory.DicomNode::host).orElse("?");
    int port = found.map(NetworkDirectory.DicomNode::port).orElse(0);
    String[] sopInstance = {Path.of(row.payload()).getFileName().toString()};
    try {
      NetworkDirectory.DicomNode node = found
          .orElseThrow(() -> new IllegalStateException("no active DICOM node with AE title " + row.destination()));
      send(row, node, sopInstance);
    } catch (Exception e) {
      audit.forwarded(row.destination(), host, port, row.orderingKey(), sopInstance[0], e.getMessage());
      throw e;
    }
    audit.forwarded(row.destination(), host, port, row.orderingKey(), sopInstance[0], null);
  }

  /** One C-STORE of the row's file; {@code sopInstance[0]} becomes the instance's UID once read. */
  private void send(OutboxRow row, NetworkDirectory.DicomNode node, String[] sopInstanceOut) throws Exception {
    Path file = Path.of(row.payload());
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      DicomInputStream din = new DicomInputStream(in);
      AttributeList meta = new AttributeList();
      meta.readOnlyMetaInformationHeader(din);
      String sopClass = Attribute.getSingleStringValueOrNull(meta, TagFromName.MediaStorageSOPClassUID);
      String sopInstance = Attribute.getSingleStringValueOrNull(meta, TagFromName.MediaStorageSOPInstanceUID);
      sopInstanceOut[0] = sopInstance;
      String ts = Attribute.getSingleStringValueOrNull(meta, TagFromName.TransferSyntaxUID);
      LinkedList<Object> transferSyntaxes = new LinkedList<>();
      transferSyntaxes.add(ts);
      LinkedList<Object> contexts = new LinkedList<>();
      contexts.add(new PresentationContext((byte) 1, sopClass, transferSyntaxes));
      Association a = associate(node, contexts);
      int[] answered = {-1};
      WriteWatchdog.Watched watched = bound(a, node);
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
        boolean cut = watched != null && watched.wasCut();
        try {
          if (!cut) { // else its socket is closed already
            a.abort();
          }
        } catch (Exception ignored) {
          // already failing
        }
        if (cut) {
          throw new IllegalStateException("C-STORE of " + sopInstance + " to " + node.aeTitle() + ": the node took no data for "
              + props.getDicom().getForwardTimeout().toSeconds() + " s", e);
        }
        throw e;
      }
      if (answered[0] != 0 && (answered[0] & 0xF000) != 0xB000) {
        throw new IllegalStateException("C-STORE of " + sopInstance + " to " + node.aeTitle() + " answered 0x"
            + Integer.toHexString(answered[0]));
      }
    }
  }

  /**
   * An association with the node: over TLS from {@link DicomTls} when its address is
   * {@code dicoms://} (connect, handshake and association within the forward timeout), else
   * PixelMed's own plain connection.
   */
  private Association associate(NetworkDirectory.DicomNode node, LinkedList<Object> contexts) throws Exception {
    if (!node.tls()) {
      return AssociationFactory.createNewAssociation(node.host(), node.port(), node.aeTitle(),
          props.getDicom().getAeTitle(), contexts, null, false);
    }
    java.net.Socket socket;
    try {
      socket = tls.connect(node.host(), node.port(), props.getDicom().getForwardTimeout());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("TLS to " + node.aeTitle() + " at " + node.host() + ":" + node.port()
          + " failed: " + e.getMessage(), e);
    }
    return com.pixelmed.network.SocketAssociationInitiator.initiate(socket, node.aeTitle(), props.getDicom().getAeTitle(),
        contexts);
  }

  /**
   * The association's reads (the answer) and writes bounded by the forward timeout: the socket's
   * read timeout set, its output stream replaced by a watched one. PixelMed keeps both in protected
   * fields without accessors; if it changes, forwarding goes on unbounded and a warning says so.
   */
  private WriteWatchdog.Watched bound(Association a, NetworkDirectory.DicomNode node) {
    java.time.Duration timeout = props.getDicom().getForwardTimeout();
    try {
      java.lang.reflect.Field socketField = Association.class.getDeclaredField("socket");
      java.lang.reflect.Field outField = Association.class.getDeclaredField("out");
      socketField.setAccessible(true);
      outField.setAccessible(true);
      java.net.Socket socket = (java.net.Socket) socketField.get(a);
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      WriteWatchdog.Watched watched = watchdog.watch(socket, (OutputStream) outField.get(a), timeout,
          "DICOM association to " + node.aeTitle() + " at " + node.host() + ":" + node.port());
      outField.set(a, watched);
      return watched;
    } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
      log.warn("Forwarding to {} is not bounded by radbridge.dicom.forward-timeout (PixelMed changed?): {}",
          node.aeTitle(), e.toString());
      return null;
    }
  }
}
