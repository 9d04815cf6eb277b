package org.radbridge.server.dicom;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.network.NetworkDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The DICOM listener on {@code radbridge.bind-address}:{@code radbridge.dicom.port}, AE title
 * {@code radbridge.dicom.ae-title}: our own server socket (PixelMed's dispatcher would bind all
 * interfaces), one thread per association. Calling AE titles must be DICOM nodes of the network
 * unless {@code radbridge.dicom.accept-unknown-peers} is set.
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
  private volatile ServerSocket server;
  private volatile ExecutorService associations;
  private volatile boolean running;

  public DicomListener(RadBridgeProperties props, NetworkDirectory directory, DicomStorage storage,
      StudySyncScheduler studies, WorklistItems worklist, StudyRootFind studyRoot,
      org.radbridge.server.readiness.ReadinessGate readiness) {
    this.readiness = readiness;
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
    // PixelMed keeps a thread ~5 s after the release; associations are few and long, so a thread each
    associations = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dicom-association");
      t.setDaemon(true);
      return t;
    });
    running = true;
    Thread acceptor = new Thread(this::acceptLoop, "dicom-listener");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("DICOM listener {} on {}:{}", props.getDicom().getAeTitle(), props.getBindAddress(), port());
  }

  private void acceptLoop() {
    while (running) {
      try {
        AssociationSession.PeekableSocket socket = (AssociationSession.PeekableSocket) server.accept();
        associations.execute(new AssociationSession(socket, props.getDicom().getAeTitle(), this::isKnownPeer,
            readiness::isReady, storage, studies, worklist, studyRoot, this::characterSetOf));
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        log.warn("DICOM accept failed: {}", e.toString());
      }
    }
  }

  /** Specific Character Set of worklist answers to a node (its Endpoint's character-set header; UTF-8 by default). */
  private String characterSetOf(String callingAe) {
    return directory.dicomNode(callingAe).map(NetworkDirectory.DicomNode::characterSet).orElse("ISO_IR 192");
  }

  private boolean isKnownPeer(String callingAe) {
    return props.getDicom().isAcceptUnknownPeers() || directory.dicomNode(callingAe).isPresent();
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
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
