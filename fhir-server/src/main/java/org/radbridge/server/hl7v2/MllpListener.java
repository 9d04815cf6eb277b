package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import java.net.InetAddress;
import org.radbridge.server.RadBridgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The MLLP listener on {@code radbridge.bind-address}:{@code radbridge.hl7v2.port}, HAPI HL7v2's
 * server: v2.3 to v2.5.1 all read into the 2.5.1 model, characters decoded per MSH-18 (HAPI's
 * default protocol ignores it). Message types without an application are answered AR by HAPI; a
 * message HAPI cannot parse is answered by {@link UnreadableMessageHandler}; a frame that is not
 * HL7 at all closes the connection ({@link Msh18Protocol}).
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
  private HapiContext context;
  private HL7Service server;
  private BoundSocketFactory sockets;
  private volatile boolean running;

  public MllpListener(RadBridgeProperties props, OrderMessageApplication orders, ResultMessageApplication results,
      PatientMessageApplication patients, MergeMessageApplication merges, MllpTls tls) {
    this.tls = tls;
    this.merges = merges;
    this.patients = patients;
    this.props = props;
    this.orders = orders;
    this.results = results;
  }

  public int port() {
    return sockets == null ? -1 : sockets.boundPort();
  }

  @Override
  public void start() {
    if (!props.getHl7v2().isEnabled()) {
      return;
    }
    try {
      context = new DefaultHapiContext();
      // its own threads: HAPI's default executor is shared by every HapiContext in the JVM, and
      // closing any of them (a client) would shut the listener down
      context.setExecutorService(java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mllp");
        t.setDaemon(true);
        return t;
      }));
      context.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
      context.setLowerLayerProtocol(new Msh18Protocol());
      // ACK control ids: HAPI's default keeps its counter in ./id_file; keep it in the data directory
      java.nio.file.Path ids = java.nio.file.Path.of(props.getDataDir(), "hl7v2");
      java.nio.file.Files.createDirectories(ids);
      ca.uhn.hl7v2.util.idgenerator.FileBasedGenerator generator = new ca.uhn.hl7v2.util.idgenerator.FileBasedGenerator();
      generator.setDirectory(ids.toString());
      generator.setNeverFail(true);
      context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.DelegatingHiLoGenerator(generator));
      sockets = new BoundSocketFactory(InetAddress.getByName(props.getBindAddress()), tls.context());
      context.setSocketFactory(sockets);
      server = context.newServer(props.getHl7v2().getPort(), tls.listenerUsesTls());
      server.registerApplication("ORM", "O01", orders);
      server.registerApplication("OMI", "O23", orders);
      server.registerApplication("ORU", "R01", results);
      server.registerApplication("ADT", "A40", merges);
      server.registerApplication("ADT", "A08", patients);
      server.registerApplication("ADT", "A31", patients);
      // HAPI answers nothing when it cannot read a header; every message gets an answer
      server.setExceptionHandler(new UnreadableMessageHandler(context.getPipeParser(), props.getHl7v2().getApplication(),
          props.getHl7v2().getFacility()));
      server.startAndWait();
      running = true;
      log.info("MLLP listener on {}:{}{}", props.getBindAddress(), port(), tls.listenerUsesTls() ? " (TLS)" : "");
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException("MLLP listener could not start: " + e.getMessage(), e);
    }
  }

  @Override
  public void stop() {
    running = false;
    if (server != null) {
      server.stopAndWait();
    }
    if (context != null) {
      try {
        context.close();
      } catch (java.io.IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
