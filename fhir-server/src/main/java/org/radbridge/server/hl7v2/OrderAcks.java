package org.radbridge.server.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.OMI_O23;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.DefaultEscaping;
import ca.uhn.hl7v2.parser.Escaping;
import java.util.Map;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * The application acknowledgement of an accepted order, as HL7 defines it for the order message:
 * ORR^O02 to an ORM^O01, ORI^O24 to an OMI^O23. Its ORC tells the placer how the order stands with
 * its filler: ORC-1 the response to the order control (table 0119: NW → OK, CA → CR, …), ORC-2 the
 * placer number as sent, ORC-3 the filler number — the accession number, RadBridge's own when the
 * placer sent none, namespaced by RadBridge's application name.
 */
final class OrderAcks {
  private static final Map<String, String> RESPONSE = Map.of("NW", "OK", "CA", "CR", "DC", "DR", "XO", "XR",
      "HD", "OH", "RL", "OR", "SC", "SC", "OC", "OC", "OD", "DR", "OH", "OH");

  private static final Escaping ESCAPING = new DefaultEscaping();

  private OrderAcks() {}

  static Message accepted(Message order, String control, ServiceRequest written, String accessionSystem,
      String application) throws HL7Exception {
    Message ack = LoggedMessageApplication.ack(order, ca.uhn.hl7v2.AcknowledgmentCode.AA, null);
    String er7 = ack.encode();
    EncodingCharacters enc = EncodingCharacters.getInstance(ack);
    String field = String.valueOf(enc.getFieldSeparator());
    String component = String.valueOf(enc.getComponentSeparator());
    String[] segments = er7.split("\r");
    String[] msh = segments[0].split(java.util.regex.Pattern.quote(field), -1);
    boolean imaging = order instanceof OMI_O23;
    String type = imaging ? "ORI" + component + "O24" + component + "ORI_O24" : "ORR" + component + "O02" + component + "ORR_O02";
    if (msh.length > 8) {
      msh[8] = type;
    }
    StringBuilder out = new StringBuilder(String.join(field, msh));
    for (int i = 1; i < segments.length; i++) {
      out.append('\r').append(segments[i]);
    }
    String placer = number(written, "PLAC", null);
    String filler = number(written, "ACSN", accessionSystem);
    out.append('\r').append("ORC").append(field).append(RESPONSE.getOrDefault(control, "OK"))
        .append(field).append(placer == null ? "" : ESCAPING.escape(placer, enc))
        .append(field).append(filler == null ? "" : ESCAPING.escape(filler, enc) + component + ESCAPING.escape(application, enc))
        .append('\r');
    return order.getParser().parse(out.toString());
  }

  private static String number(ServiceRequest sr, String type, String system) {
    for (Identifier i : sr.getIdentifier()) {
      if (i.hasValue() && i.getType().hasCoding(org.radbridge.terminology.NetworkUrls.V2_0203, type)
          && (system == null || system.equals(i.getSystem()))) {
        return i.getValue();
      }
    }
    return null;
  }
}
