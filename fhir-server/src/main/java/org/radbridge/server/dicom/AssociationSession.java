package org.radbridge.server.dicom;

import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.CEchoResponseCommandMessage;
import com.pixelmed.network.CStoreResponseCommandMessage;
import com.pixelmed.network.MessageServiceElementCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiFunction;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One association, on a socket accepted by {@link DicomListener}: checks the calling AE title and
 * the peer's address before PixelMed answers the A-ASSOCIATE-RQ (PixelMed never checks either),
 * then serves C-ECHO and C-STORE with statuses RadBridge chooses; the ImagingStudy of every study it touched is updated
 * once the instances stop coming (debounced) and again, if anything is new, when it ends. Reads
 * are bounded by {@link PduInput}, writes by the listener's {@code WriteWatchdog} (a peer that stops
 * reading is closed, and the association ends here like any broken one).
 */
final class AssociationSession implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AssociationSession.class);

  private final PeekableSocket socket;
  private final String aeTitle;
  private final BiFunction<String, InetAddress, NetworkDirectory.Recognition> recognise;
  private final java.util.function.BooleanSupplier ready;
  private final DicomStorage storage;
  private final StudySyncScheduler studies;
  private final WorklistItems worklist;
  private final StudyRootFind studyRoot;
  private final java.util.function.Function<String, String> characterSetOf;
  /** What a calling node may see: its organisation's (C-FIND answers only those). */
  private final java.util.function.Function<String, org.radbridge.server.store.Visibility> visibilityOf;
  private final RadBridgeProperties.Dicom settings;
  private final AutoCloseable slot;

  AssociationSession(PeekableSocket socket, String aeTitle,
      BiFunction<String, InetAddress, NetworkDirectory.Recognition> recognise,
      java.util.function.BooleanSupplier ready, DicomStorage storage, StudySyncScheduler studies,
      WorklistItems worklist, StudyRootFind studyRoot, java.util.function.Function<String, String> characterSetOf,
      java.util.function.Function<String, org.radbridge.server.store.Visibility> visibilityOf,
      RadBridgeProperties.Dicom settings, AutoCloseable slot) {
    this.visibilityOf = visibilityOf;
    this.settings = settings;
    this.slot = slot;
    this.ready = ready;
    this.studyRoot = studyRoot;
    this.worklist = worklist;
    this.characterSetOf = characterSetOf;
    this.socket = socket;
    this.aeTitle = aeTitle;
    this.recognise = recognise;
    this.storage = storage;
    this.studies = studies;
  }

  /**
   * A socket whose input can be replayed (the peeked A-ASSOCIATE-RQ, then the rest of the stream)
   * and whose output, once watched, is the watchdog's: whoever writes to the peer — PixelMed, an
   * A-ASSOCIATE-RJ, an A-ABORT — writes within the write timeout.
   */
  static final class PeekableSocket extends Socket {
    private volatile InputStream replay;
    private volatile WriteWatchdog.Watched watched;

    InputStream raw() throws IOException {
      return super.getInputStream();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      InputStream r = replay;
      return r != null ? r : super.getInputStream();
    }

    /** From now on every write must make progress within {@code bound}, else the socket is closed. */
    void watchWrites(WriteWatchdog watchdog, java.time.Duration bound, String peer) throws IOException {
      watched = watchdog.watch(this, super.getOutputStream(), bound, peer);
    }

    /** Whether the watchdog closed the socket because a write made no progress (and logged it). */
    boolean writesCut() {
      WriteWatchdog.Watched w = watched;
      return w != null && w.wasCut();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      OutputStream w = watched;
      return w != null ? w : super.getOutputStream();
    }
  }

  @Override
  public void run() {
    Set<String> touchedStudies = new LinkedHashSet<>();
    String callingAe = "?";
    RequestCollector request = null;
    RadBridgeProperties.Dicom.Listener limits = settings.getListener();
    try {
      // PixelMed writes a PDU's header and body separately: with Nagle's algorithm each small
      // response waits for the peer's delayed ACK (~40 ms an instance)
      socket.setTcpNoDelay(true);
      int maxPdu = (int) Math.min(Integer.MAX_VALUE, limits.getMaxPduLength().toBytes());
      PduInput pdus = new PduInput(socket, socket.raw(), maxPdu, limits.getReadTimeout());
      byte[] header = pdus.readNBytes(6);
      if (header.length < 6 || (header[0] & 0xff) != 0x01) {
        log.info("DICOM connection from {} closed: it did not begin with an A-ASSOCIATE-RQ", socket.getRemoteSocketAddress());
        return;
      }
      long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xffL) << 16) | ((header[4] & 0xffL) << 8) | (header[5] & 0xffL);
      if (length < 68) {
        log.info("DICOM connection from {} closed: an A-ASSOCIATE-RQ of {} bytes", socket.getRemoteSocketAddress(), length);
        return;
      }
      byte[] body = pdus.readNBytes((int) length);
      if (body.length != length) {
        return;
      }
      callingAe = new String(body, 20, 16, StandardCharsets.US_ASCII).trim();
      NetworkDirectory.Recognition peer = recognise.apply(callingAe, socket.getInetAddress());
      if (!peer.recognised()) {
        OutputStream out = socket.getOutputStream();
        if (!ready.getAsBoolean()) {
          // the network directory may not be stored yet: A-ASSOCIATE-RJ rejected-transient,
          // service-provider (presentation), temporary congestion — the peer tries again later
          out.write(new byte[] {0x03, 0x00, 0, 0, 0, 4, 0x00, 0x02, 0x03, 0x01});
          out.flush();
          log.info("DICOM association from AE title '{}' ({}) rejected for now: RadBridge is starting", callingAe,
              socket.getRemoteSocketAddress());
          return;
        }
        // A-ASSOCIATE-RJ: rejected-permanent, service-user, calling AE title not recognized — for an
        // AE title of the network from an address not its own too: the peer learns no more
        out.write(new byte[] {0x03, 0x00, 0, 0, 0, 4, 0x00, 0x01, 0x01, 0x03});
        out.flush();
        if (peer.verdict() == NetworkDirectory.Recognition.Verdict.NOT_ITS_ADDRESS) {
          log.warn("DICOM association from AE title '{}' at {} rejected: {} ({})", callingAe,
              socket.getInetAddress().getHostAddress(), peer.why(), peer.resource());
        } else {
          log.info("DICOM association from unknown AE title '{}' ({}) rejected", callingAe, socket.getRemoteSocketAddress());
        }
        return;
      }
      String senderOrg = peer.organization();
      byte[] pdu = new byte[6 + body.length];
      System.arraycopy(header, 0, pdu, 0, 6);
      System.arraycopy(body, 0, pdu, 6, body.length);
      socket.replay = new SequenceInputStream(new ByteArrayInputStream(pdu), pdus);

      Association association = AssociationFactory.createNewAssociation(socket, aeTitle, maxPdu,
          AssociationFactory.getDefaultReceiveBufferSize(), AssociationFactory.getDefaultSendBufferSize(),
          new AcceptedContexts());
      long maxDataSet = limits.getMaxDataSetSize().toBytes();
      long minFree = settings.getMinFreeSpace().toBytes();
      try {
        while (true) {
          request = new RequestCollector(association, storage.files(), maxDataSet, minFree);
          association.setReceivedDataHandler(request);
          association.waitForPDataPDUsUntilHandlerReportsDone();
          handle(association, request, callingAe, senderOrg, touchedStudies);
        }
      } catch (AReleaseException released) {
        // normal end: PixelMed has answered the release
      }
    } catch (Exception e) {
      if (!socket.writesCut()) { // else the watchdog said why
        log.info("DICOM association from {} ended: {}", callingAe, e.toString());
      }
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      if (request != null) {
        request.discard(); // the instance of an association that ended mid-request
      }
      try {
        slot.close();
      } catch (Exception ignored) {
        // a slot's close cannot fail
      }
      // a failed update is retried by the scheduler; the rows stay unsynced until one succeeds
      touchedStudies.forEach(studies::syncNow);
    }
  }

  private void handle(Association a, RequestCollector r, String callingAe, String senderOrg, Set<String> touched)
      throws Exception {
    String sopClass = r.commandString(TagFromName.AffectedSOPClassUID);
    int messageId = com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(r.commandList, TagFromName.MessageID, 0);
    if (r.commandField == MessageServiceElementCommand.C_ECHO_RQ) {
      a.send(r.presentationContextId, new CEchoResponseCommandMessage(sopClass, messageId, StoreStatus.SUCCESS).getBytes(), null);
    } else if (r.commandField == MessageServiceElementCommand.C_STORE_RQ) {
      String sopInstance = r.commandString(TagFromName.AffectedSOPInstanceUID);
      StoreStatus status;
      if (r.refusal != null) {
        status = r.refusal; // its temp file is gone already
      } else if (r.tempFile == null) {
        status = StoreStatus.failure(StoreStatus.CANNOT_UNDERSTAND, "no data set");
      } else {
        status = storage.storeFile(callingAe, senderOrg, sopClass, sopInstance, r.tempFile);
      }
      if (status.isSuccess() && !status.duplicate()) {
        touched.add(status.studyInstanceUid());
        studies.syncSoon(status.studyInstanceUid());
      }
      if (!status.isSuccess()) {
        log.info("C-STORE {} from {}: 0x{} {}", sopInstance, callingAe, Integer.toHexString(status.code()), status.comment());
      }
      a.send(r.presentationContextId,
          new CStoreResponseCommandMessage(sopClass, sopInstance, messageId, status.code()).getBytes(), null);
    } else if (r.commandField == MessageServiceElementCommand.C_FIND_RQ) {
      find(a, r, sopClass, messageId, callingAe);
    } else if (r.commandField == MessageServiceElementCommand.C_CANCEL_RQ) {
      // nothing in progress to cancel
    } else {
      throw new IOException("unsupported DIMSE command 0x" + Integer.toHexString(r.commandField));
    }
  }

  /** C-FIND (Modality Worklist, Study Root): one pending response per match, then the final Success. */
  private void find(Association a, RequestCollector r, String sopClass, int messageId, String callingAe) throws Exception {
    String ts = a.getTransferSyntaxForPresentationContextID(r.presentationContextId);
    java.util.List<com.pixelmed.dicom.AttributeList> items;
    try {
      if (r.refusal != null) {
        log.info("C-FIND from {} refused: {}", callingAe, r.refusal.comment());
        a.send(r.presentationContextId, new com.pixelmed.network.CFindResponseCommandMessage(sopClass, messageId,
            r.refusal.code(), false).getBytes(), null);
        return;
      }
      if (r.data == null) {
        throw new com.pixelmed.dicom.DicomException("C-FIND without an identifier");
      }
      com.pixelmed.dicom.AttributeList query = com.pixelmed.network.CompositeResponseHandler
          .getAttributeListFromCommandOrData(r.data.toByteArray(), ts);
      if (WorklistItems.MWL_FIND.equals(sopClass)) {
        items = worklist.find(query, characterSetOf.apply(callingAe), visibilityOf.apply(callingAe));
      } else if (StudyRootFind.STUDY_ROOT_FIND.equals(sopClass)) {
        items = studyRoot.find(query, characterSetOf.apply(callingAe), visibilityOf.apply(callingAe));
      } else {
        throw new com.pixelmed.dicom.DicomException("C-FIND of SOP class " + sopClass + " is not supported");
      }
    } catch (Exception e) {
      log.info("C-FIND from {} refused: {}", callingAe, e.toString());
      a.send(r.presentationContextId, new com.pixelmed.network.CFindResponseCommandMessage(sopClass, messageId,
          StoreStatus.DATASET_MISMATCH, false).getBytes(), null);
      return;
    }
    for (com.pixelmed.dicom.AttributeList item : items) {
      a.send(r.presentationContextId, new com.pixelmed.network.CFindResponseCommandMessage(sopClass, messageId, 0xFF00,
          true).getBytes(), null);
      java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
      com.pixelmed.dicom.DicomOutputStream out = new com.pixelmed.dicom.DicomOutputStream(encoded, null, ts);
      item.write(out);
      out.close();
      // fragmented to the peer's maximum PDU length
      try (OutputStream data = a.getAssociationOutputStream(r.presentationContextId)) {
        data.write(encoded.toByteArray());
      }
    }
    a.send(r.presentationContextId, new com.pixelmed.network.CFindResponseCommandMessage(sopClass, messageId,
        StoreStatus.SUCCESS, false).getBytes(), null);
  }

}
