package org.radbridge.server.audit;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.radbridge.server.outbox.Outbox;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * When {@code radbridge.audit.atna.enabled}: the records just stored are queued for the audit
 * record repository as one outbox row of RFC 5425 frames ({@link SyslogFrames}), in the
 * transaction that stores them — a record is forwarded exactly when it exists — and delivered in
 * order by {@link AtnaSyslogDelivery}, retried while the repository is away.
 */
@Component
public class AtnaExport {
  static final String KIND = "audit-atna";
  static final String ORDERING_KEY = "audit-atna";

  private final AuditProperties.Atna settings;
  private final ObjectProvider<Outbox> outbox; // the outbox's handlers record audit events themselves
  private final SyslogFrames frames;

  public AtnaExport(AuditProperties props, ObjectProvider<Outbox> outbox, FhirContext ctx) {
    this.settings = props.getAtna();
    this.outbox = outbox;
    this.frames = new SyslogFrames(ctx, localHostname(), settings.getAppName(), settings.getMessageId());
  }

  boolean enabled() {
    return settings.isEnabled();
  }

  /** Queues the records for the repository, in the caller's transaction; nothing when forwarding is off. */
  void export(List<AuditRecord> records) {
    if (!settings.isEnabled() || records.isEmpty()) {
      return;
    }
    outbox.getObject().enqueue(KIND, "syslog-tls://" + settings.getHost() + ":" + settings.getPort(), ORDERING_KEY,
        frames.frames(records), "text/plain; charset=UTF-8");
  }

  private static String localHostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "-";
    }
  }
}
