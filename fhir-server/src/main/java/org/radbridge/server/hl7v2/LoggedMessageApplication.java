package org.radbridge.server.hl7v2;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.util.Terser;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.radbridge.mappers.hl7v2.V2FieldError;
import org.radbridge.server.network.NetworkDirectory;
import org.radbridge.server.readiness.ReadinessGate;
import org.radbridge.server.write.Caller;
import org.radbridge.server.terminology.NetworkConformance;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What every inbound HL7 v2 application shares: the sender recognised by MSH-3/MSH-4 and the
 * connection's source address or TLS client certificate (a known application from an address not
 * its own or without its certificate: AR, nothing stored; an unknown one: AE 204); the same message (MSH-3 + MSH-4 + MSH-10) again is
 * answered with the recorded ACK and writes nothing; a new one is processed in one transaction with
 * its hl7_message row; content errors are AE naming the field, refused writes AE listing every
 * issue with its location. Until RadBridge is ready ({@link ReadinessGate}) every message is AR 207,
 * to be sent again, and nothing is stored. The sender's writes carry its source address
 * ({@link Caller#from}); the organisation it was recognised as and what the message wrote go to
 * the message's audit record ({@link ReceivedMessageTrail}). Subclasses map and write.
 */
abstract class LoggedMessageApplication implements ReceivingApplication<Message> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoggedMessageApplication.class);
  static final String LOINC = "http://loinc.org";

  private final MessageLog messages;
  private final TransactionTemplate tx;
  private final NetworkDirectory directory;
  private final NetworkConformance conformance;
  private final ReadinessGate ready;

  LoggedMessageApplication(MessageLog messages, TransactionTemplate tx, ReadinessGate ready, NetworkDirectory directory,
      NetworkConformance conformance) {
    this.messages = messages;
    this.tx = tx;
    this.ready = ready;
    this.directory = directory;
    this.conformance = conformance;
  }

  /** Maps and writes the message inside the caller's transaction; returns the AA. */
  abstract Message process(Message message, Caller caller) throws HL7Exception;

  @Override
  public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
    if (!ready.isReady()) {
      // AR: refused for a reason unrelated to the content, which HL7 senders send again later
      return ack(message, AcknowledgmentCode.AR, new HL7Exception("RadBridge is starting and cannot check messages"
          + " against the network's profiles yet; nothing was stored; send the message again shortly",
          ca.uhn.hl7v2.ErrorCode.APPLICATION_INTERNAL_ERROR));
    }
    Terser t = new Terser(message);
    String app = nonNull(t.get("/MSH-3-1"));
    String facility = nonNull(t.get("/MSH-4-1"));
    String controlId = nonNull(t.get("/MSH-10"));
    String type = nonNull(t.get("/MSH-9-1")) + "^" + nonNull(t.get("/MSH-9-2"));
    // who sent it, before anything else about the message is looked up (a recorded ACK included)
    Optional<MllpPeer> peer = MllpPeer.of(metadata);
    NetworkDirectory.Recognition sender = recognise(app, facility, peer);
    if (sender.verdict() == NetworkDirectory.Recognition.Verdict.NOT_ITS_ADDRESS) {
      String from = peer.map(p -> p.address().getHostAddress()).orElse("an unknown address");
      log.warn("HL7 v2 message {} from {}^{} at {} refused (AR): {} ({})", controlId, app, facility, from, sender.why(),
          sender.resource());
      HL7Exception refused = new HL7Exception("MSH-3/MSH-4 " + app + "^" + facility + " is an HL7 application of the"
          + " network, but not one that sends from " + from + "; nothing was stored; ask the network's administrator"
          + " to add the address", ca.uhn.hl7v2.ErrorCode.APPLICATION_INTERNAL_ERROR);
      refused.setLocation(new ca.uhn.hl7v2.Location().withSegmentName("MSH").withSegmentRepetition(1).withField(3));
      return ack(message, AcknowledgmentCode.AR, refused);
    }
    if (sender.verdict() == NetworkDirectory.Recognition.Verdict.NOT_ITS_CERTIFICATE) {
      String from = peer.map(p -> p.address().getHostAddress()).orElse("an unknown address");
      log.warn("HL7 v2 message {} from {}^{} at {} refused (AR): {} ({})", controlId, app, facility, from, sender.why(),
          sender.resource());
      HL7Exception refused = new HL7Exception("MSH-3/MSH-4 " + app + "^" + facility + " is an HL7 application of the"
          + " network that is recognised by its TLS client certificate, and this connection did not present it;"
          + " nothing was stored; ask the network's administrator to add the certificate",
          ca.uhn.hl7v2.ErrorCode.APPLICATION_INTERNAL_ERROR);
      refused.setLocation(new ca.uhn.hl7v2.Location().withSegmentName("MSH").withSegmentRepetition(1).withField(3));
      return ack(message, AcknowledgmentCode.AR, refused);
    }
    if (!sender.recognised()) {
      return ack(message, AcknowledgmentCode.AE, V2FieldError.unknownKey("MSH-3", "MSH-3/MSH-4 " + app + "^"
          + facility + " is not an HL7 application of the network"));
    }
    String orgKey = sender.organization();
    ReceivedMessageTrail trail = ReceivedMessageTrail.of(metadata);
    trail.recognisedAs(orgKey);
    Caller caller = Caller.hl7Application(app + "^" + facility, orgKey)
        .from(peer.map(p -> p.address().getHostAddress()).orElse(null));
    Optional<String> earlier = messages.ackOf(app, facility, controlId);
    if (earlier.isPresent()) {
      return message.getParser().parse(earlier.get()); // the same message again: the same answer, nothing written
    }
    try {
      // what the transaction writes is noted for the message's audit record (ReceivedMessageAudit)
      boolean committed = Boolean.TRUE.equals(ReceivedMessageWrites.noting(trail, () -> tx.execute(s -> {
        try {
          Message ack = process(message, caller);
          // the message, its resources and its ACK commit together
          if (!messages.record(app, facility, controlId, type, ack.encode())) {
            s.setRollbackOnly(); // the same message arrived twice at once: the other one wrote it
            return false;
          }
          return true;
        } catch (HL7Exception e) {
          throw new IllegalStateException(e);
        }
      })));
      if (!committed) {
        trail.rolledBack();
      }
    } catch (IllegalStateException wrapped) {
      trail.rolledBack();
      if (wrapped.getCause() instanceof HL7Exception e) {
        return ack(message, AcknowledgmentCode.AE, e);
      }
      throw wrapped;
    } catch (BaseServerResponseException e) {
      trail.rolledBack();
      return ack(message, AcknowledgmentCode.AE, new HL7Exception(describe(e)));
    } catch (RuntimeException e) {
      trail.rolledBack();
      throw e;
    }
    Optional<String> recorded = messages.ackOf(app, facility, controlId);
    return recorded.isPresent() ? message.getParser().parse(recorded.get()) : ack(message, AcknowledgmentCode.AA, null);
  }

  static Message ack(Message message, AcknowledgmentCode code, HL7Exception e) throws HL7Exception {
    try {
      return e == null ? message.generateACK() : message.generateACK(code, e);
    } catch (IOException io) {
      throw new HL7Exception(io);
    }
  }

  // ERR-2 and ERR-3 come from the exception: a V2FieldError carries the field's location and its
  // table 0357 code; a refused FHIR write is 207 (application internal error) listing its issues.

  static String localCodeSystem(String orgKey) {
    return "https://radbridge.org/fhir/CodeSystem/his-" + orgKey;
  }

  /**
   * The one place an HL7 v2 sender is recognised: MSH-3^MSH-4 an active application of the network
   * and the connection from one of its source addresses or, over TLS when its entry names client
   * certificates, with one of them ({@link NetworkDirectory#hl7Sender}). A message that reached no
   * connection (no peer) is not recognised.
   */
  private NetworkDirectory.Recognition recognise(String app, String facility, Optional<MllpPeer> peer) {
    NetworkDirectory.Recognition r = directory.hl7Sender(app, facility, peer.map(MllpPeer::address).orElse(null),
        peer.map(MllpPeer::tls).orElse(false), peer.map(MllpPeer::certificate).orElse(null));
    if (r.recognised() && r.organization() == null) {
      return new NetworkDirectory.Recognition(NetworkDirectory.Recognition.Verdict.UNKNOWN, null, r.resource(),
          "its Device names no organisation of the network");
    }
    return r;
  }

  /** A refused write as ERR text: every issue with its FHIRPath location (validation lists them all). */
  private static String describe(BaseServerResponseException e) {
    if (e.getOperationOutcome() instanceof org.hl7.fhir.r4.model.OperationOutcome oo && oo.hasIssue()) {
      StringBuilder sb = new StringBuilder();
      for (var issue : oo.getIssue()) {
        if (sb.length() > 0) {
          sb.append(" / ");
        }
        sb.append(issue.getDiagnostics());
        if (issue.hasExpression()) {
          sb.append(" @ ").append(issue.getExpression().get(0).getValue());
        }
      }
      return sb.toString();
    }
    return e.getMessage();
  }

  static String nonNull(String s) {
    return s == null ? "" : s;
  }

}
