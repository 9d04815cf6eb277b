package org.radbridge.server.security;

import java.util.List;
import java.util.Locale;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** Lists each write of a break-glass session for review, in the write's own transaction. */
@Component
class BreakGlassWriteTrail implements WriteHook {
  private final BreakGlassSessions sessions;

  BreakGlassWriteTrail(BreakGlassSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.PRE_COMMIT;
  }

  @Override
  public void on(WriteEvent e) {
    if (e.caller() != null && e.caller().breakGlass() != null) {
      sessions.touched(e.caller().breakGlass(), e.operation().name().toLowerCase(Locale.ROOT),
          List.of(e.type() + "/" + e.id()));
    }
  }
}
