package org.radbridge.server.validation;

import org.radbridge.server.write.WriteEvent;
import org.radbridge.server.write.WriteHook;
import org.radbridge.server.write.WritePhase;
import org.springframework.stereotype.Component;

/** Every written resource is checked by {@link WriteValidation}: refused (422) or written with warnings. */
@Component
class ProfileValidationHook implements WriteHook {
  private final WriteValidation validation;

  ProfileValidationHook(WriteValidation validation) {
    this.validation = validation;
  }

  @Override
  public WritePhase phase() {
    return WritePhase.VALIDATE;
  }

  @Override
  public void on(WriteEvent e) {
    e.warnings().addAll(validation.check(e.resource()));
  }
}
