package org.radbridge.server.write;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The registered hooks by phase, resolved once (lazily: hooks may themselves write through the
 * pipeline, so they cannot be constructor dependencies of it).
 */
@Component
class WriteHooks {
  private final ObjectProvider<WriteHook> provider;
  private volatile Map<WritePhase, List<WriteHook>> byPhase;

  WriteHooks(ObjectProvider<WriteHook> provider) {
    this.provider = provider;
  }

  private Map<WritePhase, List<WriteHook>> byPhase() {
    Map<WritePhase, List<WriteHook>> m = byPhase;
    if (m == null) {
      m = new EnumMap<>(WritePhase.class);
      for (WritePhase p : WritePhase.values()) {
        m.put(p, new ArrayList<>());
      }
      for (WriteHook h : provider.orderedStream().toList()) {
        m.get(h.phase()).add(h);
      }
      byPhase = m;
    }
    return m;
  }

  /** Runs the hooks of a phase for the event's type. */
  void run(WritePhase phase, WriteEvent event) {
    for (WriteHook h : byPhase().get(phase)) {
      if (h.types().isEmpty() || h.types().contains(event.type())) {
        h.on(event);
      }
    }
  }

  /** PRE_COMMIT now, and AFTER_COMMIT once the transaction commits. */
  void stored(WriteEvent event) {
    run(WritePhase.PRE_COMMIT, event);
    if (byPhase().get(WritePhase.AFTER_COMMIT).stream()
        .noneMatch(h -> h.types().isEmpty() || h.types().contains(event.type()))) {
      return;
    }
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          run(WritePhase.AFTER_COMMIT, event);
        }
      });
    } else {
      run(WritePhase.AFTER_COMMIT, event);
    }
  }
}
