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
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One association, on a socket accepted by {@link DicomListener}: checks the calling AE title, the
 * peer's address and, over TLS, its client certificate before PixelMed answers the A-ASSOCIATE-RQ
 * (PixelMed checks none of them),
 * then serves C-ECHO and C-STORE with statuses RadBridge chooses; the ImagingStudy of every study it touched is updated
 * once the instances stop coming (debounced) and again, if anything is new, when it ends. Reads
 * are bounded by {@link PduInput}, writes by the listener's {@code WriteWatchdog} (a peer that stops
 * reading is closed, and the association ends here like any broken one).
 */
final class AssociationSession implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(AssociationSession.class);

  private final PeekableSocket socket;
  private final String aeTitle;
  private final Recognise recognise;
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
  private final DicomAudit audit;
  /** Per study of this association: instances stored [0] and refused [1] (refused before a study was known: ""). */
  private final java.util.Map<String, int[]> storedPerStudy = new java.util.LinkedHashMap<>();
  private String senderOrg;

  AssociationSession(PeekableSocket socket, String aeTitle,
      Recognise recognise,
      java.util.function.BooleanSupplier ready, DicomStorage storage, StudySyncScheduler studies,
      WorklistItems worklist, StudyRootFind studyRoot, java.util.function.Function<String, String> characterSetOf,
      java.util.function.Function<String, org.radbridge.server.store.Visibility> visibilityOf,
      RadBridgeProperties.Dicom settings, AutoCloseable slot, DicomAudit audit) {
    this.audit = audit;
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

  /** Who a calling AE title is, associating from an address with a TLS client certificate (or none). */
  @FunctionalInterface
  interface Recognise {
    NetworkDirectory.Recognition apply(String callingAe, InetAddress peer, java.security.cert.X509Certificate certificate);
  }

  /**
   * A socket whose input can be replayed (the peeked A-ASSOCIATE-RQ, then the rest of the stream)
   * and whose output, once watched, is the watchdog's: whoever writes to the peer — PixelMed, an
   * A-ASSOCIATE-RJ, an A-ABORT — writes within the write timeout.
   */
  static final class PeekableSocket extends Socket {
    private volatile InputStream replay;
    private volatile WriteWatchdog.Watched watched;
    /** TLS over this connection (null: plain), whose streams everything above reads and writes. */
    private volatile javax.net.ssl.SSLSocket tls;
    private boolean closing;

    /**
     * From now on the association runs over TLS ({@code layer} builds it on this socket). Called
     * first, before any other stream is set: the TLS layer takes this socket's own TCP streams
     * when it is built.
     */
    void useTls(DicomTls layer) throws IOException {
      tls = layer.serverSide(this);
    }

    /** The input below the PDU checks: the TLS layer's, or the connection's. */
    InputStream raw() throws IOException {
      javax.net.ssl.SSLSocket t = tls;
      return t != null ? t.getInputStream() : super.getInputStream();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      InputStream r = replay;
      return r != null ? r : raw();
    }

    /** The TLS client certificate the peer showed (null: plain, or none shown). */
    java.security.cert.X509Certificate peerCertificate() {
      javax.net.ssl.SSLSocket t = tls;
      if (t == null) {
        return null;
      }
      try {
        java.security.cert.Certificate[] chain = t.getSession().getPeerCertificates();
        return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x ? x : null;
      } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
        return null;
      }
    }

    /** From now on every write must make progress within {@code bound}, else the socket is closed. */
    void watchWrites(WriteWatchdog watchdog, java.time.Duration bound, String peer) throws IOException {
      javax.net.ssl.SSLSocket t = tls;
      watched = watchdog.watch(this, t != null ? t.getOutputStream() : super.getOutputStream(), bound, peer);
    }

    /**
     * Over TLS, closes the TLS layer (close_notify, unless a write is stuck: then at once), which
     * closes this connection in turn.
     */
    @Override
    public void close() throws IOException {
      javax.net.ssl.SSLSocket t;
      synchronized (this) {
        t = closing ? null : tls;
        closing = true;
      }
      if (t != null) {
        t.close();
      } else {
        super.close();
      }
    }

    /** Whether the watchdog closed the socket because a write made no progress (and logged it). */
    boolean writesCut() {
      WriteWatchdog.Watched w = watched;
      return w != null && w.wasCut();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      OutputStream w = watched;
      if (w != null) {
        return w;
      }
      javax.net.ssl.SSLSocket t = tls;
      return t != null ? t.getOutputStream() : super.getOutputStream();
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
      // over TLS the handshake is done by now (the first read): the certificate, if any, is known
      NetworkDirectory.Recognition peer = recognise.apply(callingAe, socket.getInetAddress(), socket.peerCertificate());
      if (!peer.recognised()) {
        OutputStream out = socket.getOutputStream();
        if (!ready.getAsBoolean()) {
          // the network directory may not be stored yet: A-ASSOCIATE-RJ rejected-transient,
          // service-provider (presentation), temporary congestion — the peer tries again later
          out.write(new byte[] {0x03, 0x00, 0, 0, 0, 4, 0x00, 0x02, 0x03, 0x01});
          out.flush();
          log.info("DICOM association from AE title '{}' ({}) rejected for now: RadBridge is starting", callingAe,
              socket.getRemoteSocketAddress());
          audit.association(callingAe, null, socket.getInetAddress(), false, "rejected for now: RadBridge is starting");
          return;
        }
        // A-ASSOCIATE-RJ: rejected-permanent, service-user, calling AE title not recognized — for an
        // AE title of the network from an address not its own too: the peer learns no more
        out.write(new byte[] {0x03, 0x00, 0, 0, 0, 4, 0x00, 0x01, 0x01, 0x03});
        out.flush();
        if (peer.verdict() != NetworkDirectory.Recognition.Verdict.UNKNOWN) {
          log.warn("DICOM association from AE title '{}' at {} rejected: {} ({})", callingAe,
              socket.getInetAddress().getHostAddress(), peer.why(), peer.resource());
        } else {
          log.info("DICOM association from unknown AE title '{}' ({}) rejected", callingAe, socket.getRemoteSocketAddress());
        }
        audit.association(callingAe, null, socket.getInetAddress(), false,
            peer.verdict() == NetworkDirectory.Recognition.Verdict.UNKNOWN ? "unknown AE title" : peer.why());
        return;
      }
      senderOrg = peer.organization();
      audit.association(callingAe, senderOrg, socket.getInetAddress(), true, null);
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
      for (var e : storedPerStudy.entrySet()) {
        audit.stored(callingAe, senderOrg, socket.getInetAddress(), e.getKey().isEmpty() ? null : e.getKey(),
            e.getValue()[0], e.getValue()[1]);
      }
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
      String study = status.isSuccess() && status.studyInstanceUid() != null ? status.studyInstanceUid() : "";
      storedPerStudy.computeIfAbsent(study, k -> new int[2])[status.isSuccess() ? 0 : 1]++;
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
        audit.found(callingAe, senderOrg, socket.getInetAddress(), model(sopClass), 0, r.refusal.comment());
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
      audit.found(callingAe, senderOrg, socket.getInetAddress(), model(sopClass), 0, e.getMessage());
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
    audit.found(callingAe, senderOrg, socket.getInetAddress(), model(sopClass), items.size(), null);
  }

  private static String model(String sopClass) {
    return WorklistItems.MWL_FIND.equals(sopClass) ? "MWL" : StudyRootFind.STUDY_ROOT_FIND.equals(sopClass) ? "STUDY" : sopClass;
  }

}
