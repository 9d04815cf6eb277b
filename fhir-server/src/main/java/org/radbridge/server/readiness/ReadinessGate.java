package org.radbridge.server.readiness;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Whether RadBridge may store anything yet. Start-up work that writes must finish first (the
 * shipped conformance resources stored and the validator loaded, the network directory seeded)
 * registers itself with {@link #pending}; until every such task is done, Spring Boot's readiness
 * state is REFUSING_TRAFFIC whatever Boot itself announced when the context came up (so
 * {@code /actuator/health/readiness} answers 503), and the channels refuse writes retryably. The
 * moment the last task finishes, ACCEPTING_TRAFFIC is published.
 */
@Component
public class ReadinessGate extends ApplicationAvailabilityBean {
  private static final Logger log = LoggerFactory.getLogger(ReadinessGate.class);

  private final ApplicationEventPublisher events;
  private final List<Pending> pending = new ArrayList<>(); // guarded by this
  private volatile boolean ready = true;
  private boolean everReady; // guarded by this: before the first ready moment there is nothing to take back

  public ReadinessGate(ApplicationEventPublisher events) {
    this.events = events;
  }

  /** Something that must finish before RadBridge is ready; call {@link Pending#done()} when it has. */
  public Pending pending(String what) {
    Pending p = new Pending(what);
    boolean takenBack;
    synchronized (this) {
      takenBack = ready && everReady;
      pending.add(p);
      ready = false;
    }
    if (takenBack) {
      log.info("Not ready: waiting for {}", what);
      AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }
    return p;
  }

  /** Whether nothing is pending: writes may be stored. */
  public boolean isReady() {
    return ready;
  }

  /** What RadBridge is still waiting for, for the answers that refuse a write ("" when ready). */
  public synchronized String waitingFor() {
    return String.join(", ", pending.stream().map(p -> p.what).toList());
  }

  private void finished(Pending p) {
    boolean nowReady;
    synchronized (this) {
      nowReady = pending.remove(p) && pending.isEmpty();
      if (nowReady) {
        ready = true;
        everReady = true;
      }
    }
    if (nowReady) {
      log.info("Ready: start-up work done, writes are taken");
      AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
    }
  }

  /** Boot's own state, except that readiness is REFUSING_TRAFFIC while anything is pending. */
  @Override
  public <S extends AvailabilityState> S getState(Class<S> stateType) {
    if (stateType == ReadinessState.class && !ready) {
      return stateType.cast(ReadinessState.REFUSING_TRAFFIC);
    }
    return super.getState(stateType);
  }

  /** One start-up task the gate waits for. */
  public final class Pending implements AutoCloseable {
    private final String what;

    private Pending(String what) {
      this.what = what;
    }

    public void done() {
      finished(this);
    }

    @Override
    public void close() {
      done();
    }
  }
}
