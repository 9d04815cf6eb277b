package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.Terser;

/** One MLLP connection to the server under test (HAPI's client, MSH-18 respected), for tests. */
public final class MllpClient implements AutoCloseable {
  private final HapiContext hapi;
  private final Connection connection;

  public MllpClient(int port) throws Exception {
    hapi = new DefaultHapiContext();
    hapi.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
    hapi.setLowerLayerProtocol(new MinLowerLayerProtocol(true));
    connection = hapi.newClient("127.0.0.1", port, false);
  }

  /** Sends the message (segments separated by CR) and returns its ACK. */
  public Message send(String text) throws Exception {
    return connection.getInitiator().sendAndReceive(hapi.getPipeParser().parse(text));
  }

  public static String msa1(Message ack) throws Exception {
    return new Terser(ack).get("/MSA-1");
  }

  @Override
  public void close() throws Exception {
    connection.close();
    hapi.close();
  }
}
