package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.llp.LLPException;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.listener.WriteWatchdog;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code hl7v2-mllp}: sends one queued HL7 v2 message (ER7 text, its MSH-10 fixed when
 * queued) to the Endpoint the row's destination names, through HAPI's MLLP client, and waits for
 * the ACK. MSA-1 AA or CA acknowledges the row; AE, AR, CE, CR, no answer or a broken connection
 * throw, so the outbox records the reason and retries per its policy. The attempt as a whole —
 * writing the message and waiting for its ACK — takes {@code radbridge.hl7v2.ack-timeout}: HAPI
 * bounds the wait but not the write, so a receiver that stops reading would hold the outbox worker
 * forever; a second after the timeout (HAPI's own wait ends first) the {@link WriteWatchdog}
 * closes the connection.
 */
@Component
public class MllpDelivery implements DeliveryHandler {
  public static final String KIND = "hl7v2-mllp";
  /**
   * Past the ACK timeout before a blocked write is cut, so that HAPI's own wait (its clock starts
   * once the message is encoded) ends first when nothing blocks.
   */
  private static final java.time.Duration GRACE = java.time.Duration.ofSeconds(1);

  private final NetworkDirectory directory;
  private final HapiContext hapi;
  private final java.time.Duration timeout;
  private final WriteWatchdog watchdog;
  private final SentMessageAudit audit;

  public MllpDelivery(NetworkDirectory directory, RadBridgeProperties props, MllpTls tls, WriteWatchdog watchdog,
      SentMessageAudit audit) {
    this.audit = audit;
    this.directory = directory;
    this.timeout = props.getHl7v2().getAckTimeout();
    this.watchdog = watchdog;
    hapi = new DefaultHapiContext();
    // own threads: HAPI's default executor is shared by every context in the JVM
    hapi.setExecutorService(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mllp-out");
      t.setDaemon(true);
      return t;
    }));
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.setLowerLayerProtocol(new MinLowerLayerProtocol(true)); // bytes per MSH-18
    hapi.getParserConfiguration().setValidating(false);
    // this context never answers messages; an in-memory generator keeps HAPI from writing ./id_file
    hapi.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    hapi.setSocketFactory(new MllpClientSockets(tls.context()));
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** Every attempt, delivered or not, leaves its audit record ({@link SentMessageAudit}). */
  @Override
  public void deliver(OutboxRow row) throws Exception {
    Message message = hapi.getPipeParser().parse(row.payload());
    Terser sent = new Terser(message);
    String type = sent.get("/MSH-9-1") + "^" + sent.get("/MSH-9-2");
    String controlId = sent.get("/MSH-10");
    NetworkDirectory.Hl7Endpoint to = directory.hl7EndpointById(row.destination()).orElse(null);
    if (to == null) {
      String why = "no active hl7v2-mllp Endpoint " + row.destination();
      audit.attempted(row, row.destination(), null, type, controlId, null, why);
      throw new IllegalStateException(why);
    }
    String receiverName = to.application() + "^" + to.facility();
    String address = to.host() + ":" + to.port();
    try {
      AckReading answer = AckReading.of(send(message, to).encode());
      audit.attempted(row, receiverName, address, type, controlId, answer, null);
      if (answer.outcome() != 0) {
        throw new NegativeAck("negative ACK " + answer.code() + " from " + receiverName
            + (answer.text() == null ? "" : ": " + answer.text()));
      }
    } catch (NegativeAck refused) {
      throw refused;
    } catch (Exception e) {
      audit.attempted(row, receiverName, address, type, controlId, null, e.getMessage());
      throw e;
    }
  }

  /** The receiver answered, and not AA or CA: recorded with its ACK, retried by the outbox. */
  private static final class NegativeAck extends IllegalStateException {
    NegativeAck(String message) {
      super(message);
    }
  }

  /** Writes the message and returns the receiver's ACK, within the ACK timeout. */
  private Message send(Message message, NetworkDirectory.Hl7Endpoint to) throws Exception {
    Connection connection = hapi.newClient(to.host(), to.port(), to.tls());
    Message ack;
    String receiver = "MLLP connection to " + to.host() + ":" + to.port();
    try (WriteWatchdog.Watch watch = watchdog.watch(timeout.plus(GRACE), receiver, () -> cut(connection))) {
      connection.getInitiator().setTimeoutMillis((int) timeout.toMillis());
      watch.begin();
      try {
        ack = connection.getInitiator().sendAndReceive(message);
      } catch (HL7Exception | LLPException | IOException e) {
        connection.close(); // the next attempt opens a fresh connection
        throw new IllegalStateException("no ACK from " + to.host() + ":" + to.port() + ": " + (watch.wasCut()
            ? "the message could not be written within " + timeout.toSeconds() + " s (the receiver does not read)"
            : e.getMessage()), e);
      } finally {
        watch.end();
      }
    }
    return ack;
  }

  /** Closes the connection's sockets at once: a write blocked on them throws. */
  private static void cut(Connection connection) {
    if (connection instanceof ca.uhn.hl7v2.app.ActiveConnection active) {
      active.getSockets().forEach(WriteWatchdog::closeNow);
    }
    try {
      connection.close();
    } catch (IOException | RuntimeException ignored) {
      // its sockets are closed
    }
  }

  @PreDestroy
  void close() throws IOException {
    hapi.close();
  }
}
