package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.protocol.impl.AppRoutingDataImpl;
import ca.uhn.hl7v2.protocol.impl.ApplicationRouterImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.listener.ConnectionSlots;
import org.radbridge.server.listener.ListenerThreads;
import org.radbridge.server.listener.WriteWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The MLLP listener on {@code radbridge.bind-address}:{@code radbridge.hl7v2.port}: our own accept
 * loop and connections ({@link MllpConnection}) in front of HAPI's application router — HAPI's
 * server reads frames without bound, ignores timeouts inside a frame and starts a thread per
 * connection and per message without limit. Connections are bounded in all and per peer address
 * (one over the limit is closed at once), each has one thread; a sender that does not read its
 * ACKs is closed after the write timeout ({@link WriteWatchdog}). v2.3 to v2.5.1 all read into the
 * 2.5.1 model. Message types without an application are answered AR by HAPI's router; a message
 * HAPI cannot parse is answered by {@link UnreadableMessageHandler}.
 */
@Component
public class MllpListener implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(MllpListener.class);

  private final RadBridgeProperties props;
  private final OrderMessageApplication orders;
  private final ResultMessageApplication results;
  private final PatientMessageApplication patients;
  private final MergeMessageApplication merges;
  private final MllpTls tls;
  private final WriteWatchdog watchdog;
  private final ReceivedMessageAudit audit;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private HapiContext context;
  private ApplicationRouterImpl router;
  private UnreadableMessageHandler refusals;
  private volatile ServerSocket server;
  private volatile ConnectionSlots slots;
  private ExecutorService connections;
  private volatile boolean running;

  public MllpListener(RadBridgeProperties props, OrderMessageApplication orders, ResultMessageApplication results,
      PatientMessageApplication patients, MergeMessageApplication merges, MllpTls tls, WriteWatchdog watchdog,
      ReceivedMessageAudit audit) {
    this.audit = audit;
    this.tls = tls;
    this.watchdog = watchdog;
    this.merges = merges;
    this.patients = patients;
    this.props = props;
    this.orders = orders;
    this.results = results;
  }

  public int port() {
    ServerSocket s = server;
    return s == null ? -1 : s.getLocalPort();
  }

  /** Connections holding a slot now (for tests). */
  int openConnections() {
    ConnectionSlots s = slots;
    return s == null ? 0 : s.open();
  }

  @Override
  public void start() {
    if (!props.getHl7v2().isEnabled()) {
      return;
    }
    try {
      context = new DefaultHapiContext();
      context.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
      // ACK control ids: HAPI's default keeps its counter in ./id_file; keep it in the data directory
      java.nio.file.Path ids = java.nio.file.Path.of(props.getDataDir(), "hl7v2");
      java.nio.file.Files.createDirectories(ids);
      ca.uhn.hl7v2.util.idgenerator.FileBasedGenerator generator = new ca.uhn.hl7v2.util.idgenerator.FileBasedGenerator();
      generator.setDirectory(ids.toString());
      generator.setNeverFail(true);
      context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.DelegatingHiLoGenerator(generator));
      router = new ApplicationRouterImpl(context);
      bind("ORM", "O01", orders);
      bind("OMI", "O23", orders);
      bind("ORU", "R01", results);
      bind("ADT", "A40", merges);
      bind("ADT", "A08", patients);
      bind("ADT", "A31", patients);
      // HAPI answers nothing when it cannot read a header; every message gets an answer
      refusals = new UnreadableMessageHandler(context.getPipeParser(), props.getHl7v2().getApplication(),
          props.getHl7v2().getFacility());
      router.setExceptionHandler(refusals);
      ServerSocket s = tls.listenerUsesTls() ? tls.serverSocket() : new ServerSocket();
      s.bind(new InetSocketAddress(InetAddress.getByName(props.getBindAddress()), props.getHl7v2().getPort()), 50);
      server = s;
    } catch (IOException e) {
      throw new IllegalStateException("MLLP listener could not start: " + e.getMessage(), e);
    }
    RadBridgeProperties.Hl7v2.Listener limits = props.getHl7v2().getListener();
    slots = new ConnectionSlots(limits.getMaxConnections(), limits.getMaxConnectionsPerPeer());
    connections = ListenerThreads.bounded("mllp-" + port(), limits.getMaxConnections(),
        limits.getMaxConnections());
    running = true;
    Thread acceptor = new Thread(this::acceptLoop, "mllp-" + port() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("MLLP listener on {}:{}{}", props.getBindAddress(), port(), tls.listenerUsesTls()
        ? " (TLS, client certificates: " + props.getHl7v2().getTls().getClientAuth().name().toLowerCase() + ")" : "");
  }

  private void bind(String type, String trigger, ca.uhn.hl7v2.protocol.ReceivingApplication<?> application) {
    router.bindApplication(new AppRoutingDataImpl(type, trigger, "*", "*"), application);
  }

  private void acceptLoop() {
    RadBridgeProperties.Hl7v2.Listener limits = props.getHl7v2().getListener();
    while (running) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        log.warn("MLLP accept failed: {}", e.toString());
        continue;
      }
      ConnectionSlots.Slot slot = slots.tryTake(socket.getInetAddress());
      if (slot == null) {
        log.warn("MLLP connection from {} closed at once: {}", socket.getRemoteSocketAddress(),
            slots.whyFull(socket.getInetAddress()));
        closeQuietly(socket);
        continue;
      }
      try {
        open.add(socket);
        MllpFrameReader frames = new MllpFrameReader(socket, (int) Math.min(Integer.MAX_VALUE - 16,
            limits.getMaxFrameSize().toBytes()), limits.getFrameTimeout(), limits.getIdleTimeout());
        connections.execute(new MllpConnection(socket, frames, router, refusals, context.getPipeParser(),
            limits.getFrameTimeout(), watchdog, limits.getWriteTimeout(), audit, () -> {
              open.remove(socket);
              slot.close();
            }));
      } catch (IOException | RuntimeException e) {
        log.warn("MLLP connection from {} could not start: {}", socket.getRemoteSocketAddress(), e.toString());
        open.remove(socket);
        closeQuietly(socket);
        slot.close();
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void stop() {
    running = false;
    if (server != null) {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    open.forEach(MllpListener::closeQuietly); // their threads end on the closed socket
    if (connections != null) {
      connections.shutdownNow();
    }
    if (context != null) {
      try {
        context.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
