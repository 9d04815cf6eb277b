package org.radbridge.server.audit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code radbridge.audit}: how long the audit trail is kept, and where it is forwarded (README "Audit"). */
@ConfigurationProperties(prefix = "radbridge.audit")
@Validated
public class AuditProperties {
  /** Whether accesses are recorded; off only to measure what auditing costs (logged at every start). */
  private final boolean enabled;
  /** Months of audit records kept (whole calendar months, UTC); older months are dropped in the background. */
  @Min(1) @Max(1200) private final int retentionMonths;
  /** Forwarding of every record to an audit record repository (IHE ATNA). */
  @Valid private final Atna atna;

  public AuditProperties(@DefaultValue("true") boolean enabled, @DefaultValue("12") int retentionMonths,
      @DefaultValue Atna atna) {
    this.enabled = enabled;
    this.retentionMonths = retentionMonths;
    this.atna = atna;
  }

  public boolean isEnabled() { return enabled; }
  public int getRetentionMonths() { return retentionMonths; }

  public Atna getAtna() { return atna; }

  /** {@code radbridge.audit.atna}: RFC 5424 syslog over TLS (RFC 5425) to an audit record repository. */
  public static class Atna {
    /** Whether every audit record is also sent, through the outbox, to the audit record repository at host:port. */
    private final boolean enabled;
    /** The audit record repository's host name or address (its TLS certificate must name it). */
    private final String host;
    /** The repository's syslog-over-TLS port. */
    @Min(1) @Max(65535) private final int port;
    /** The SSL bundle (spring.ssl.bundle.*) whose trust store verifies the repository; its key, if any, is RadBridge's client certificate. */
    private final String bundle;
    /** The syslog APP-NAME of each message (printable ASCII, no spaces, at most 48 characters). */
    @Pattern(regexp = "[!-~]{1,48}") private final String appName;
    /** The syslog MSGID of each message; the message is a FHIR R4 AuditEvent in JSON. */
    @Pattern(regexp = "[!-~]{1,32}") private final String messageId;
    /** The time to connect to the repository and to write one batch of records. */
    private final Duration timeout;

    public Atna(@DefaultValue("false") boolean enabled, String host, @DefaultValue("6514") int port, String bundle,
        @DefaultValue("RadBridge") String appName, @DefaultValue("AuditEvent") String messageId,
        @DefaultValue("10s") Duration timeout) {
      this.enabled = enabled;
      this.host = host;
      this.port = port;
      this.bundle = bundle;
      this.appName = appName;
      this.messageId = messageId;
      this.timeout = timeout;
    }

    /** Enabled, it needs a repository to send to and a bundle to trust it with. */
    @AssertTrue(message = "radbridge.audit.atna.enabled needs radbridge.audit.atna.host and radbridge.audit.atna.bundle")
    public boolean isComplete() {
      return !enabled || host != null && !host.isBlank() && bundle != null && !bundle.isBlank();
    }

    public boolean isEnabled() { return enabled; }

    public String getHost() { return host; }

    public int getPort() { return port; }

    public String getBundle() { return bundle; }

    public String getAppName() { return appName; }

    public String getMessageId() { return messageId; }

    public Duration getTimeout() { return timeout; }
  }
}
