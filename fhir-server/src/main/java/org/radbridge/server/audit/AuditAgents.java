package org.radbridge.server.audit;

import java.util.Locale;
import org.radbridge.server.write.Caller;

/** The agent of a record, from a {@link Caller}. */
public final class AuditAgents {
  private AuditAgents() {}

  public static AuditRecord.Agent of(Caller c) {
    if (c == null) {
      return new AuditRecord.Agent("system", "unknown", null, null, null);
    }
    return new AuditRecord.Agent(c.kind().name().toLowerCase(Locale.ROOT), c.name(), c.organization(), c.address(),
        c.breakGlass());
  }

  /** A caller not known (no token, an unrecognised peer): what is known is its address. */
  public static AuditRecord.Agent unknown(String kind, String name, String address) {
    return new AuditRecord.Agent(kind, name == null || name.isBlank() ? "unknown" : name, null, address, null);
  }
}
