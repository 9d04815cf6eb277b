package org.radbridge.server.workflow;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The $turnaround figures of the last 24 hours as Prometheus gauges, refreshed every 30 s:
 * {@code radbridge_turnaround_orders}, {@code _median_minutes}, {@code _p90_minutes},
 * {@code _within_sla_ratio}, {@code _within_30min_ratio}, each tagged {@code grouping}
 * (all, community-centre, reading-hospital, modality, priority) and {@code value}.
 */
@Component
public class TurnaroundMetrics implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #refresh} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::refresh,
        settings.getWorkflow().getMetricsInterval(), java.time.Duration.ofSeconds(5)));
  }

  private static final Logger log = LoggerFactory.getLogger(TurnaroundMetrics.class);
  private final TurnaroundFigures figures;
  private final List<Gauge> gauges;

  private record Gauge(MultiGauge gauge, ToDoubleFunction<TurnaroundFigures.Figures> value) {}

  public TurnaroundMetrics(TurnaroundFigures figures, MeterRegistry registry, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.figures = figures;
    this.gauges = List.of(
        new Gauge(MultiGauge.builder("radbridge.turnaround.orders").description("Orders with a final report in the last 24 h")
            .register(registry), f -> f.count()),
        new Gauge(MultiGauge.builder("radbridge.turnaround.median.minutes")
            .description("Median minutes from study available to the report reaching the centre (24 h)")
            .register(registry), TurnaroundFigures.Figures::medianMinutes),
        new Gauge(MultiGauge.builder("radbridge.turnaround.p90.minutes").register(registry),
            TurnaroundFigures.Figures::p90Minutes),
        new Gauge(MultiGauge.builder("radbridge.turnaround.within.sla.ratio").register(registry),
            TurnaroundFigures.Figures::withinSla),
        new Gauge(MultiGauge.builder("radbridge.turnaround.within.30min.ratio").register(registry),
            TurnaroundFigures.Figures::within30));
  }

  public void refresh() {
    try {
      Instant now = Instant.now();
      List<TurnaroundFigures.Figures> rows = figures.figures(now.minus(Duration.ofHours(24)), now).stream()
          .filter(f -> !"day".equals(f.group())).toList();
      for (Gauge g : gauges) {
        g.gauge().register(rows.stream().map(f -> MultiGauge.Row.of(
            Tags.of("grouping", f.group() == null ? "all" : f.group(), "value", f.value() == null ? "all" : f.value()),
            g.value().applyAsDouble(f))).toList(), true);
      }
    } catch (RuntimeException e) {
      log.debug("turnaround metrics not refreshed: {}", e.getMessage());
    }
  }
}
