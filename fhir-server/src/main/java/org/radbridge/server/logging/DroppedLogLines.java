package org.radbridge.server.logging;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/** The count of log lines the asynchronous appender had to drop, as a Prometheus counter. */
@Component
public class DroppedLogLines implements MeterBinder {
  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("radbridge.log.lines.dropped", CountingAsyncAppender.class, c -> CountingAsyncAppender.dropped())
        .description("Log lines dropped because the asynchronous log queue was full")
        .register(registry);
  }
}
