package org.radbridge.server.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logback's AsyncAppender (a request never waits for the terminal or the log file) that never
 * drops a line silently: when the queue is full the line is dropped and counted, the count is a
 * metric ({@code radbridge_log_lines_dropped_total}), and the next line that fits is preceded by a
 * warning saying how many were lost. Lines are otherwise queued as Logback queues them (blocking
 * only for the instant between the capacity check and the put, so the worker is never outrun).
 */
public class CountingAsyncAppender extends AsyncAppender {
  private static final AtomicLong DROPPED = new AtomicLong();
  private final AtomicLong unreported = new AtomicLong();

  public CountingAsyncAppender() {
    setNeverBlock(false);
    setDiscardingThreshold(0);
  }

  /** Lines dropped since the start, by every appender of this class. */
  public static long dropped() {
    return DROPPED.get();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      DROPPED.incrementAndGet();
      unreported.incrementAndGet();
      return;
    }
    long lost = unreported.getAndSet(0);
    if (lost > 0) {
      super.append(notice(lost));
    }
    super.append(event);
  }

  private ILoggingEvent notice(long lost) {
    LoggerContext context = (LoggerContext) getContext();
    LoggingEvent e = new LoggingEvent(CountingAsyncAppender.class.getName(),
        context.getLogger("radbridge.logging"), Level.WARN,
        "{} log lines were dropped because the log queue was full (radbridge_log_lines_dropped_total)", null,
        new Object[] {lost});
    return e;
  }
}
