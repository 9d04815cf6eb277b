package org.radbridge.server.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Per destination: rows pending, delivered (kept), dead and discarded ({@code radbridge.outbox.rows}
 * tagged destination and state) and the age of the oldest pending row
 * ({@code radbridge.outbox.oldest.pending}, seconds). Refreshed from the table every 10 s, so the
 * figures cover all nodes.
 */
@Component
public class OutboxMetrics implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #refresh} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::refresh,
        settings.getOutbox().getMetricsInterval(), java.time.Duration.ofSeconds(2)));
  }

  private final OutboxRows rows;
  private final MultiGauge counts;
  private final MultiGauge oldest;

  public OutboxMetrics(OutboxRows rows, MeterRegistry registry, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.rows = rows;
    this.counts = MultiGauge.builder("radbridge.outbox.rows").description("Outbox rows by destination and state")
        .register(registry);
    this.oldest = MultiGauge.builder("radbridge.outbox.oldest.pending").baseUnit("seconds")
        .description("Age of the oldest undelivered row per destination").register(registry);
  }

  public void refresh() {
    List<MultiGauge.Row<?>> c = new ArrayList<>();
    List<MultiGauge.Row<?>> o = new ArrayList<>();
    for (OutboxRows.DestinationStats s : rows.stats()) {
      Tags d = Tags.of("destination", s.destination());
      c.add(MultiGauge.Row.of(d.and("state", "pending"), s.pending()));
      c.add(MultiGauge.Row.of(d.and("state", "delivered"), s.delivered()));
      c.add(MultiGauge.Row.of(d.and("state", "dead"), s.dead()));
      c.add(MultiGauge.Row.of(d.and("state", "discarded"), s.discarded()));
      o.add(MultiGauge.Row.of(d, s.oldestPendingSeconds()));
    }
    counts.register(c, true);
    oldest.register(o, true);
  }
}
