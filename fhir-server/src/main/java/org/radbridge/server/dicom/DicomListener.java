package org.radbridge.server.dicom;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.network.OrgRef;
import org.radbridge.server.security.RestCallers;
import org.radbridge.server.write.Caller;
import org.radbridge.server.listener.ConnectionSlots;
import org.radbridge.server.listener.ListenerThreads;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The DICOM listener on {@code radbridge.bind-address}:{@code radbridge.dicom.port}, AE title
 * {@code radbridge.dicom.ae-title}: our own server socket (PixelMed's dispatcher would bind all
 * interfaces), one thread per association. Associations are bounded in all and per peer address
 * ({@code radbridge.dicom.listener.*}); one over a limit is rejected by {@link BusyRejections}.
 * Calling AE titles must be DICOM nodes of the network, associating from one of the node's source
 * addresses (and, for a node that names certificates, over TLS with one of them:
 * {@code radbridge.dicom.tls.*}, {@link DicomTls}); {@code radbridge.dicom.accept-unknown-peers}
 * lets AE titles of no node in. Every write
 * to a peer must make progress within the write timeout ({@link WriteWatchdog}): one that does not
 * read its answers is closed.
 */
@Component
public class DicomListener implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(DicomListener.class);

  private final RadBridgeProperties props;
  private final NetworkDirectory directory;
  private final DicomStorage storage;
  private final StudySyncScheduler studies;
  private final WorklistItems worklist;
  private final StudyRootFind studyRoot;
  private final org.radbridge.server.readiness.ReadinessGate readiness;
  private final WriteWatchdog watchdog;
  private final RestCallers callers;
  private final DicomTls tls;
  private final DicomAudit audit;
  private volatile ServerSocket server;
  private volatile ExecutorService associations;
  private volatile ConnectionSlots slots;
  private volatile BusyRejections busy;
  private volatile boolean running;

  public DicomListener(RadBridgeProperties props, NetworkDirectory directory, DicomStorage storage,
      StudySyncScheduler studies, WorklistItems worklist, StudyRootFind studyRoot,
      org.radbridge.server.readiness.ReadinessGate readiness, WriteWatchdog watchdog,
      RestCallers callers, DicomTls tls, DicomAudit audit) {
    this.audit = audit;
    this.callers = callers;
    this.tls = tls;
    this.readiness = readiness;
    this.watchdog = watchdog;
    this.worklist = worklist;
    this.studyRoot = studyRoot;
    this.props = props;
    this.directory = directory;
    this.storage = storage;
    this.studies = studies;
  }

  /** The port actually listened on (useful when configured as 0). */
  public int port() {
    return server == null ? -1 : server.getLocalPort();
  }

  /** Associations holding a slot now (for tests). */
  int openAssociations() {
    ConnectionSlots s = slots;
    return s == null ? 0 : s.open();
  }

  @Override
  public void start() {
    if (!props.getDicom().isEnabled()) {
      return;
    }
    try {
      server = new ServerSocket(props.getDicom().getPort(), 50, InetAddress.getByName(props.getBindAddress())) {
        @Override
        public java.net.Socket accept() throws IOException {
          AssociationSession.PeekableSocket s = new AssociationSession.PeekableSocket();
          implAccept(s);
          return s;
        }
      };
    } catch (IOException e) {
      throw new IllegalStateException("DICOM listener cannot bind " + props.getBindAddress() + ":"
          + props.getDicom().getPort() + ": " + e.getMessage(), e);
    }
    ReleaseWait.shorten();
    // a thread each, as many as there are association slots
    RadBridgeProperties.Dicom.Listener limits = props.getDicom().getListener();
    slots = new ConnectionSlots(limits.getMaxAssociations(), limits.getMaxAssociationsPerPeer());
    associations = ListenerThreads.bounded("dicom-" + port() + "-association", limits.getMaxAssociations(),
        limits.getMaxAssociations());
    busy = new BusyRejections("dicom-" + port() + "-reject");
    running = true;
    Thread acceptor = new Thread(this::acceptLoop, "dicom-" + port() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("DICOM listener {} on {}:{}{}", props.getDicom().getAeTitle(), props.getBindAddress(), port(),
        tls.listenerUsesTls() ? " (TLS, client certificates " + tls.clientAuth().name().toLowerCase(java.util.Locale.ROOT) + ")"
            : "");
  }

  private void acceptLoop() {
    while (running) {
      try {
        AssociationSession.PeekableSocket socket = (AssociationSession.PeekableSocket) server.accept();
        if (tls.listenerUsesTls()) {
          try {
            socket.useTls(tls); // no I/O here: the handshake runs on the thread that answers
          } catch (IOException | RuntimeException e) {
            log.warn("DICOM connection from {} closed: TLS could not be set up: {}", socket.getRemoteSocketAddress(),
                e.toString());
            socket.close();
            continue;
          }
        }
        ConnectionSlots.Slot slot = slots.tryTake(socket.getInetAddress());
        if (slot == null) {
          busy.reject(socket, slots.whyFull(socket.getInetAddress()));
          continue;
        }
        try {
          socket.watchWrites(watchdog, props.getDicom().getListener().getWriteTimeout(),
              "DICOM association from " + socket.getRemoteSocketAddress());
          associations.execute(new AssociationSession(socket, props.getDicom().getAeTitle(), this::recognise,
              readiness::isReady, storage, studies, worklist, studyRoot, this::characterSetOf, this::visibilityOf,
              props.getDicom(), slot, audit));
        } catch (IOException | java.util.concurrent.RejectedExecutionException stopping) {
          slot.close();
          socket.close();
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        log.warn("DICOM accept failed: {}", e.toString());
      }
    }
  }

  /**
   * What a node may read, by the rule every channel follows ({@code RestCallers.visibilityOf}): its
   * organisation's; everything for a node of the regional exchange; a node of no known organisation
   * nothing of a patient.
   */
  private org.radbridge.server.store.Visibility visibilityOf(String callingAe) {
    String orgKey = directory.dicomNode(callingAe).map(NetworkDirectory.DicomNode::organization)
        .flatMap(OrgRef::parse).map(OrgRef::key).orElse(null);
    return callers.visibilityOf(Caller.dicomNode(callingAe, orgKey));
  }

  /** Specific Character Set of worklist answers to a node (its Endpoint's character-set header; UTF-8 by default). */
  private String characterSetOf(String callingAe) {
    return directory.dicomNode(callingAe).map(NetworkDirectory.DicomNode::characterSet).orElse("ISO_IR 192");
  }

  /**
   * The calling AE title must be a DICOM node of the network and the peer one of its addresses
   * ({@link NetworkDirectory#dicomPeer}). {@code accept-unknown-peers} lets AE titles of no node in;
   * a node's AE title from an address not its own is refused all the same.
   */
  private NetworkDirectory.Recognition recognise(String callingAe, InetAddress peer,
      java.security.cert.X509Certificate certificate) {
    NetworkDirectory.Recognition r = directory.dicomPeer(callingAe, peer, certificate);
    if (r.verdict() == NetworkDirectory.Recognition.Verdict.UNKNOWN && props.getDicom().isAcceptUnknownPeers()) {
      return new NetworkDirectory.Recognition(NetworkDirectory.Recognition.Verdict.RECOGNISED, null, null,
          "accept-unknown-peers");
    }
    return r;
  }

  @Override
  public void stop() {
    running = false;
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // closing
    }
    if (associations != null) {
      associations.shutdownNow();
    }
    if (busy != null) {
      busy.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
