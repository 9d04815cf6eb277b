package org.radbridge.server.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;

/** The gate on its own: readiness follows the pending tasks, whatever Boot announced, and each change is published. */
class ReadinessGateTest {
  private final List<Object> published = new ArrayList<>();
  private final ReadinessGate gate = new ReadinessGate(e -> {
    published.add(e);
    if (e instanceof AvailabilityChangeEvent<?> change) {
      gateOf().onApplicationEvent(change); // the context would deliver it to the gate, a listener
    }
  });

  private ReadinessGate gateOf() {
    return gate;
  }

  @Test
  void readinessWaitsForEveryPendingTaskEvenAfterBootSaysAcceptingTraffic() {
    ReadinessGate.Pending conformance = gate.pending("conformance");
    ReadinessGate.Pending network = gate.pending("network");
    assertThat(published).as("nothing to take back before the first ready moment").isEmpty();
    // what Spring Boot publishes once the context is up
    gate.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
    gate.onApplicationEvent(new AvailabilityChangeEvent<>(this, LivenessState.CORRECT));

    assertThat(gate.isReady()).isFalse();
    assertThat(gate.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    assertThat(gate.getLivenessState()).as("liveness is Boot's").isEqualTo(LivenessState.CORRECT);
    assertThat(gate.waitingFor()).isEqualTo("conformance, network");

    network.done();
    assertThat(gate.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    assertThat(gate.waitingFor()).isEqualTo("conformance");
    assertThat(published).isEmpty();

    conformance.done();
    assertThat(gate.isReady()).isTrue();
    assertThat(gate.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
    assertThat(published).hasSize(1);
    assertThat(((AvailabilityChangeEvent<?>) published.get(0)).getState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
  }

  @Test
  void aTaskRegisteredAfterReadyTakesReadinessBackUntilItIsDone() {
    gate.pending("start-up").done();
    published.clear();
    try (ReadinessGate.Pending hold = gate.pending("maintenance")) {
      assertThat(gate.isReady()).isFalse();
      assertThat(gate.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
      assertThat(((AvailabilityChangeEvent<?>) published.get(0)).getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    }
    assertThat(gate.isReady()).isTrue();
    assertThat(((AvailabilityChangeEvent<?>) published.get(1)).getState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
  }

  @Test
  void doneTwiceCountsOnce() {
    ReadinessGate.Pending a = gate.pending("a");
    gate.pending("b");
    a.done();
    a.done();
    assertThat(gate.isReady()).isFalse();
  }
}
