package org.radbridge.server.audit;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code radbridge.audit}: how long the audit trail is kept (README "Audit"). */
@ConfigurationProperties(prefix = "radbridge.audit")
@Validated
public class AuditProperties {
  /** Whether accesses are recorded; off only to measure what auditing costs (logged at every start). */
  private final boolean enabled;
  /** Months of audit records kept (whole calendar months, UTC); older months are dropped in the background. */
  @Min(1) @Max(1200) private final int retentionMonths;

  public AuditProperties(@DefaultValue("true") boolean enabled, @DefaultValue("12") int retentionMonths) {
    this.enabled = enabled;
    this.retentionMonths = retentionMonths;
  }

  public boolean isEnabled() { return enabled; }
  public int getRetentionMonths() { return retentionMonths; }
}
