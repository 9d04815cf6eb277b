package org.radbridge.server.security;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;
import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.radbridge.terminology.NetworkUrls;
import org.springframework.stereotype.Component;

/** A version written in a break-glass session carries {@code work-item#break-glass}: listed with {@code _tag} for review. */
@Component
class BreakGlassWriteTag implements WriteHook {
  static final Coding BREAK_GLASS = new Coding(NetworkUrls.WORK_ITEM, "break-glass", "Written in a break-glass session");

  @Override
  public WritePhase phase() {
    return WritePhase.PREPARE;
  }

  @Override
  public void on(WriteEvent e) {
    IBaseResource r = e.resource();
    if (e.caller() != null && e.caller().breakGlass() != null && r instanceof Resource resource
        && resource.getMeta().getTag(BREAK_GLASS.getSystem(), BREAK_GLASS.getCode()) == null) {
      resource.getMeta().addTag(BREAK_GLASS.copy());
    }
  }
}
