package org.radbridge.server.audit;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.hl7.fhir.r4.model.AuditEvent;

/**
 * Audit records as RFC 5424 syslog messages in RFC 5425's octet-counted framing, for an audit
 * record repository (IHE ATNA): {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG}
 * where MSG is the record's FHIR AuditEvent in JSON (as {@code GET /AuditEvent} renders it, without
 * the id, which the repository does not share). PRI is facility 10 (security/authorization) with
 * severity notice for a success, warning for a refusal and error for a failure.
 */
final class SyslogFrames {
  private static final int AUTHPRIV = 10;
  private static final char BOM = '\uFEFF';

  private final FhirContext ctx;
  private final String hostname;
  private final String appName;
  private final String processId;
  private final String messageId;

  SyslogFrames(FhirContext ctx, String hostname, String appName, String messageId) {
    this.ctx = ctx;
    this.hostname = printable(hostname, 255);
    this.appName = printable(appName, 48);
    this.processId = String.valueOf(ProcessHandle.current().pid());
    this.messageId = printable(messageId, 32);
  }

  /** The records' frames, one after the other (octet counts of UTF-8). */
  String frames(Iterable<AuditRecord> records) {
    StringBuilder out = new StringBuilder();
    for (AuditRecord r : records) {
      String message = message(r);
      out.append(message.getBytes(StandardCharsets.UTF_8).length).append(' ').append(message);
    }
    return out.toString();
  }

  /** One RFC 5424 message. */
  String message(AuditRecord r) {
    AuditEvent event = AuditEventRendering.render(new AuditRecordRow(0, r));
    event.setIdElement(null);
    event.setMeta(null);
    String json = ctx.newJsonParser().encodeResourceToString(event);
    int severity = r.outcome() == 0 ? 5 : r.outcome() == 4 ? 4 : 3;
    return "<" + (AUTHPRIV * 8 + severity) + ">1 "
        + DateTimeFormatter.ISO_INSTANT.format(r.recorded().truncatedTo(ChronoUnit.MILLIS)) + " " + hostname + " "
        + appName + " " + processId + " " + messageId + " - " + BOM + json;
  }

  /** A header field: printable US-ASCII without spaces, at most {@code max} characters, "-" when empty. */
  static String printable(String s, int max) {
    String cut = s == null ? "" : s.replaceAll("[^!-~]", "");
    cut = cut.length() > max ? cut.substring(0, max) : cut;
    return cut.isEmpty() ? "-" : cut;
  }
}
