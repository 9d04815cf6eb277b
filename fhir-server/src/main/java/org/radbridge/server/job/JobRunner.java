package org.radbridge.server.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The worker every node runs: claims one runnable job at a time and runs one step of it in the
 * transaction that holds the claim. Several nodes cooperate through SKIP LOCKED alone.
 */
@Component
public class JobRunner implements org.springframework.scheduling.annotation.SchedulingConfigurer {
  private final org.radbridge.server.RadBridgeProperties settings;

  /** Runs {@link #poll} at the interval radbridge.* gives (one configuration tree). */
  @Override
  public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::poll,
        settings.getJobs().getPollInterval(), settings.getJobs().getInitialDelay()));
  }

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final JobQueue queue;
  private final TransactionTemplate tx;
  private final Map<String, JobHandler> handlers;

  public JobRunner(JobQueue queue, TransactionTemplate tx, List<JobHandler> handlers, org.radbridge.server.RadBridgeProperties settings) {
    this.settings = settings;
    this.queue = queue;
    this.tx = tx;
    this.handlers = handlers.stream().collect(Collectors.toMap(JobHandler::kind, Function.identity()));
  }

  public void poll() {
    // keep stepping while there is work, so a long job does not wait a poll interval per step
    for (int i = 0; i < 1000 && runOne(); i++) {
      // next step
    }
  }

  /** Runs one step of one job; false when nothing was runnable. */
  public boolean runOne() {
    long[] failedJob = {-1};
    String[] failure = {null};
    Boolean ran;
    try {
      ran = tx.execute(s -> {
        Optional<Job> claimed = queue.claim();
        if (claimed.isEmpty()) {
          return false;
        }
        Job job = claimed.get();
        failedJob[0] = job.id();
        JobHandler handler = handlers.get(job.kind());
        if (handler == null) {
          throw new IllegalStateException("No handler for job kind '" + job.kind() + "'");
        }
        JobStep step = handler.step(job);
        queue.recordStep(job.id(), step);
        return true;
      });
    } catch (RuntimeException e) {
      failure[0] = e.getClass().getSimpleName() + ": " + e.getMessage();
      ran = true;
    }
    if (failure[0] != null && failedJob[0] > 0) {
      log.warn("Job {} step failed, will retry: {}", failedJob[0], failure[0]);
      queue.recordFailure(failedJob[0], failure[0]);
    }
    return Boolean.TRUE.equals(ran) && failure[0] == null;
  }
}
