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
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.outbox.DeliveryHandler;
import org.radbridge.server.outbox.OutboxRow;
import org.springframework.stereotype.Component;

/**
 * Outbox kind {@code hl7v2-mllp}: sends one queued HL7 v2 message (ER7 text, its MSH-10 fixed when
 * queued) to the Endpoint the row's destination names, through HAPI's MLLP client, and waits for
 * the ACK. MSA-1 AA or CA acknowledges the row; AE, AR, CE, CR, no answer or a broken connection
 * throw, so the outbox records the reason and retries per its policy.
 */
@Component
public class MllpDelivery implements DeliveryHandler {
  public static final String KIND = "hl7v2-mllp";

  private final NetworkDirectory directory;
  private final HapiContext hapi;
  private final int timeoutMillis;

  public MllpDelivery(NetworkDirectory directory, RadBridgeProperties props, MllpTls tls) {
    this.directory = directory;
    this.timeoutMillis = (int) props.getHl7v2().getAckTimeout().toMillis();
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

  @Override
  public void deliver(OutboxRow row) throws Exception {
    NetworkDirectory.Hl7Endpoint to = directory.hl7EndpointById(row.destination())
        .orElseThrow(() -> new IllegalStateException("no active hl7v2-mllp Endpoint " + row.destination()));
    Message message = hapi.getPipeParser().parse(row.payload());
    Connection connection = hapi.newClient(to.host(), to.port(), to.tls());
    Message ack;
    try {
      connection.getInitiator().setTimeoutMillis(timeoutMillis);
      ack = connection.getInitiator().sendAndReceive(message);
    } catch (HL7Exception | LLPException | IOException e) {
      connection.close(); // the next attempt opens a fresh connection
      throw new IllegalStateException("no ACK from " + to.host() + ":" + to.port() + ": " + e.getMessage(), e);
    }
    Terser t = new Terser(ack);
    String code = t.get("/MSA-1");
    if (!"AA".equals(code) && !"CA".equals(code)) {
      String text = t.get("/MSA-3");
      String err = errText(t);
      throw new IllegalStateException("negative ACK " + code + " from " + to.application() + "^" + to.facility()
          + (text == null ? "" : ": " + text) + (err == null ? "" : " (" + err + ")"));
    }
  }

  private static String errText(Terser t) {
    try {
      String s = t.get("/ERR-8");
      return s == null ? t.get("/ERR-7") : s;
    } catch (HL7Exception e) {
      return null;
    }
  }

  @PreDestroy
  void close() throws IOException {
    hapi.close();
  }
}
