package org.radbridge.server.dicom;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.radbridge.server.RadBridgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * When a study's ImagingStudy is brought up to date ({@link StudyAssembler#sync}), so that it
 * converges to the study's instance rows without another association or a restart: debounced
 * after each committed instance (one update per burst, normally one per association), checked
 * again after every update (an instance committed while the update read the rows is not in it, so
 * it goes round once more), and retried with a growing delay when an update fails. What still
 * fails after {@link #MAX_ATTEMPTS} is left to the start-up repair.
 */
@Component
public class StudySyncScheduler {
  private static final Logger log = LoggerFactory.getLogger(StudySyncScheduler.class);
  static final int MAX_ATTEMPTS = 8;
  private static final long MAX_DELAY_MS = 60_000;

  private final StudyAssembler assembler;
  private final InstanceRows rows;
  private final long quietMillis;
  private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "study-sync");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentHashMap<String, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();

  public StudySyncScheduler(StudyAssembler assembler, InstanceRows rows, RadBridgeProperties props) {
    this.assembler = assembler;
    this.rows = rows;
    this.quietMillis = props.getDicom().getStudyQuietPeriod().toMillis();
  }

  /**
   * A new instance of the study was committed: update the ImagingStudy once the association has
   * been quiet for a moment. PixelMed holds an association's thread 5 s after the release (ARTIM),
   * so waiting for the end of the association would be too late.
   */
  public void syncSoon(String studyInstanceUid) {
    schedule(studyInstanceUid, 0, quietMillis);
  }

  /** Updates the study now (an association ended); a failure or a late instance schedules another round. */
  public void syncNow(String studyInstanceUid) {
    run(studyInstanceUid, 0);
  }

  /**
   * Updates now every study whose update is waiting; returns how many. For tests, which would
   * otherwise wait on the debounce, and for an orderly shutdown.
   */
  public int flush() {
    int n = 0;
    for (String uid : List.copyOf(scheduled.keySet())) {
      ScheduledFuture<?> pending = scheduled.remove(uid);
      if (pending != null && pending.cancel(false)) {
        run(uid, 0);
        n++;
      }
    }
    return n;
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    executor.shutdownNow();
  }

  private void schedule(String uid, int attempt, long delayMillis) {
    scheduled.compute(uid, (key, previous) -> {
      if (previous != null) {
        previous.cancel(false);
      }
      return executor.schedule(() -> {
        scheduled.remove(key);
        run(key, attempt);
      }, delayMillis, TimeUnit.MILLISECONDS);
    });
  }

  private void run(String uid, int attempt) {
    try {
      assembler.sync(uid);
    } catch (RuntimeException e) {
      if (attempt + 1 >= MAX_ATTEMPTS) {
        log.warn("ImagingStudy of study {} not updated after {} attempts, left for the start-up repair: {}", uid,
            MAX_ATTEMPTS, e.getMessage());
        return;
      }
      long delay = Math.min(MAX_DELAY_MS, quietMillis * (2L << attempt));
      log.warn("ImagingStudy of study {} not updated ({}), again in {} ms", uid, e.getMessage(), delay);
      schedule(uid, attempt + 1, delay);
      return;
    }
    if (rows.hasUnsynced(uid) && !scheduled.containsKey(uid)) {
      // committed after the update read the rows, and no update is waiting for it: go round again
      schedule(uid, 0, quietMillis);
    }
  }
}
