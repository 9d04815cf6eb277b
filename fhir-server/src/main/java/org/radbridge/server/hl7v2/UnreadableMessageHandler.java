package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.parser.Parser;
import ca.uhn.hl7v2.protocol.ApplicationRouter;
import ca.uhn.hl7v2.protocol.ReceivingApplicationExceptionHandler;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a message HAPI could not parse or an application failed on. HAPI answers nothing
 * when it cannot read the header (wrong field separator, MSH cut short, no MSH): here such a
 * message gets an AR built from what {@link HeaderReading} could read — MSA-2 its MSH-10 or empty,
 * MSH-5/6 its MSH-3/4 — and an ERR naming the problem. An application's unexpected failure is an
 * AE 207 that tells the sender to send again, without the exception's text.
 */
final class UnreadableMessageHandler implements ReceivingApplicationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(UnreadableMessageHandler.class);

  private final Parser parser;
  private final String application;
  private final String facility;

  /** {@code application} and {@code facility}: RadBridge's MSH-3/4 when the sender's MSH-5/6 cannot be read. */
  UnreadableMessageHandler(Parser parser, String application, String facility) {
    this.parser = parser;
    this.application = application;
    this.facility = facility;
  }

  @Override
  public String processException(String incoming, Map<String, Object> metadata, String outgoing, Exception e) {
    String from = metadata.get(ApplicationRouter.METADATA_KEY_SENDING_IP) + ":"
        + metadata.get(ApplicationRouter.METADATA_KEY_SENDING_PORT);
    HeaderReading header = HeaderReading.of(incoming);
    try {
      if (header.problem() != null) {
        log.warn("HL7 v2 message from {} refused (AR, MSA-2 '{}'): {}", from, header.field(10), header.problem().text());
        return answer(header, AcknowledgmentCode.AR, header.problem().toException());
      }
      if (!(e instanceof HL7Exception)) {
        log.error("HL7 v2 message {} from {} failed; answered AE 207", header.field(10), from, e);
        return answer(header, AcknowledgmentCode.AE, new HL7Exception("RadBridge could not process the message because"
            + " of an internal error; nothing was stored; send it again", ErrorCode.APPLICATION_INTERNAL_ERROR));
      }
      if (outgoing != null) {
        log.warn("HL7 v2 message {} from {} could not be parsed: {}", header.field(10), from, e.getMessage());
        return outgoing; // HAPI read the header and says what it could not parse
      }
      log.warn("HL7 v2 message {} from {} could not be parsed: {}", header.field(10), from, e.getMessage());
      return answer(header, AcknowledgmentCode.AR, new HL7Exception("The message could not be parsed as HL7 v2",
          ErrorCode.DATA_TYPE_ERROR));
    } catch (HL7Exception | IOException | RuntimeException failed) {
      // the router turns null into an exception and answers nothing: better a bare AR than silence
      log.error("Answer to the HL7 v2 message from {} could not be built", from, failed);
      return "MSH|^~\\&|||||||ACK|0|P|2.5.1\rMSA|AR|\r";
    }
  }

  /**
   * AR to a message refused before it reached HAPI (too large, not in its charset): addressed from
   * what {@link HeaderReading} can read of {@code incoming}, ERR naming the problem.
   */
  String refuse(String incoming, HL7Exception problem) {
    HeaderReading header = HeaderReading.of(incoming);
    try {
      return answer(header, AcknowledgmentCode.AR, problem);
    } catch (HL7Exception | IOException | RuntimeException failed) {
      log.error("Answer to a refused HL7 v2 message could not be built", failed);
      return "MSH|^~\\&|||||||ACK|0|P|2.5.1\rMSA|AR|\r";
    }
  }

  /** The ACK an inbound message with this header would get from HAPI: sender and receiver swapped. */
  private String answer(HeaderReading header, AcknowledgmentCode code, HL7Exception problem) throws HL7Exception, IOException {
    ACK in = new ACK(); // stands for the inbound message: only its header is known
    in.setParser(parser);
    MSH msh = in.getMSH();
    msh.getFieldSeparator().setValue(String.valueOf(header.separator()));
    msh.getEncodingCharacters().setValue(header.encodingCharacters());
    msh.getSendingApplication().getNamespaceID().setValue(header.component1(3));
    msh.getSendingFacility().getNamespaceID().setValue(header.component1(4));
    msh.getReceivingApplication().getNamespaceID().setValue(orElse(header.component1(5), application));
    msh.getReceivingFacility().getNamespaceID().setValue(orElse(header.component1(6), facility));
    String trigger = subComponent(header, 9, 1);
    if (!trigger.isEmpty()) {
      msh.getMessageType().getTriggerEvent().setValue(trigger); // an empty one trips HAPI's validation rules
    }
    msh.getMessageControlID().setValue(header.field(10));
    msh.getProcessingID().getProcessingID().setValue(orElse(header.component1(11), "P"));
    msh.getVersionID().getVersionID().setValue(orElse(header.component1(12), "2.5.1"));
    Message ack = in.generateACK(code, problem);
    return parser.encode(ack);
  }

  private static String orElse(String value, String otherwise) {
    return value.isEmpty() ? otherwise : value;
  }

  /** Component {@code index} (0-based) of MSH-n, "" when absent. */
  private static String subComponent(HeaderReading header, int n, int index) {
    String[] parts = header.field(n).split(java.util.regex.Pattern.quote(header.encodingCharacters().substring(0, 1)), -1);
    return index < parts.length ? parts[index] : "";
  }
}
