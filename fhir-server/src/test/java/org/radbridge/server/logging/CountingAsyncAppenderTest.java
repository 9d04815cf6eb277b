package org.radbridge.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.radbridge.server.Await;

/**
 * A full log queue drops lines, but never silently: each dropped line is counted, and the next line
 * that fits is preceded by a warning saying how many were lost.
 */
class CountingAsyncAppenderTest {
  /** A log destination that holds the first line until released (a terminal that stopped reading). */
  private static final class StalledSink extends AppenderBase<ILoggingEvent> {
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
      try {
        release.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      lines.add(e.getFormattedMessage());
    }
  }

  @Test
  void droppedLinesAreCountedAndReported() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    StalledSink sink = new StalledSink();
    sink.setContext(context);
    sink.start();
    CountingAsyncAppender async = new CountingAsyncAppender();
    async.setContext(context);
    async.setQueueSize(2);
    async.addAppender(sink);
    async.start();
    Logger log = context.getLogger("test");
    log.addAppender(async);
    long before = CountingAsyncAppender.dropped();

    log.info("line 0"); // taken by the worker, which then waits on the sink
    Await.until("the worker holds the first line", Duration.ofSeconds(5), () -> async.getNumberOfElementsInQueue() == 0);
    for (int i = 1; i <= 10; i++) {
      log.info("line {}", i); // two fit in the queue, eight do not
    }
    assertThat(CountingAsyncAppender.dropped() - before).isEqualTo(8);

    sink.release.countDown();
    Await.until("the queue drained", Duration.ofSeconds(5), () -> sink.lines.size() == 3);
    log.info("line 11");
    Await.until("the next line written", Duration.ofSeconds(5), () -> sink.lines.size() == 5);
    assertThat(sink.lines).containsExactly("line 0", "line 1", "line 2",
        "8 log lines were dropped because the log queue was full (radbridge_log_lines_dropped_total)", "line 11");
    async.stop();
  }
}
