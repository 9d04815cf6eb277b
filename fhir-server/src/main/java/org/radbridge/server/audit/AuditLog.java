package org.radbridge.server.audit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Where every channel leaves its audit records. A write's record joins the write's transaction
 * ({@link #inTransaction}); other records ({@link #record}) are queued and appended by one thread in
 * batches every {@value #FLUSH_MILLIS} ms — on a clean shutdown the queue is emptied before the
 * database closes, on a crash at most the last flush interval of records is lost. Records that name
 * only entities get their patients from the index rows at flush time, off the request's thread.
 * When the queue is full the caller appends its own record (slower, never dropped). With
 * forwarding to an audit record repository on, each stored batch is queued for it in the same
 * transaction ({@link AtnaExport}).
 */
@Component
public class AuditLog implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  static final int FLUSH_MILLIS = 250;
  static final int CAPACITY = 50_000;
  static final int BATCH = 2_000;

  /** A record waiting for its batch; {@code resolvePatients}: its entities' patients are yet to be found. */
  private record Pending(AuditRecord record, boolean resolvePatients) {}

  private final AuditRows rows;
  private final AuditPatients patients;
  private final AuditPartitions partitions;
  private final AtnaExport atna;
  private final org.springframework.transaction.support.TransactionTemplate tx;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>(CAPACITY);
  private volatile boolean running;
  /** Records queued, and stored by the flusher: drain() waits until what was queued before it is stored. */
  private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
  private Thread flusher;

  private final boolean enabled;

  public AuditLog(AuditRows rows, AuditPatients patients, AuditPartitions partitions, AtnaExport atna,
      org.springframework.transaction.support.TransactionTemplate tx, AuditProperties props) {
    this.atna = atna;
    this.tx = tx;
    this.rows = rows;
    this.patients = patients;
    this.partitions = partitions;
    this.enabled = props.isEnabled();
    if (!enabled) {
      log.warn("radbridge.audit.enabled=false: no access is recorded. For measuring what auditing costs only.");
    }
  }

  /** Appends now, in the caller's transaction: the record commits or rolls back with the write. */
  public void inTransaction(AuditRecord record) {
    if (!enabled) {
      return;
    }
    partitions.cover(record.recorded());
    rows.append(List.of(record));
    atna.export(List.of(record));
  }

  /** Queues a record; with {@code resolvePatients} its patients are found from its entities before it is stored. */
  public void record(AuditRecord record, boolean resolvePatients) {
    if (!enabled) {
      return;
    }
    Pending p = new Pending(record, resolvePatients);
    if (running && queue.offer(p)) {
      queued.incrementAndGet();
    } else {
      write(List.of(p)); // before start, after stop, or a full queue: the caller's own round trip
    }
  }

  private void flushLoop() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        write(batch);
        stored.addAndGet(batch.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        if (isDataError(e)) {
          // one record the database will not take must not hold up the others (nor every later one)
          writeOneByOne(batch);
          stored.addAndGet(batch.size());
          batch.clear();
          continue;
        }
        // the database is away: keep the batch and try again after a pause (the queue bounds what waits)
        log.error("Audit records could not be stored ({} waiting); retrying: {}", batch.size() + queue.size(),
            e.getMessage());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
        continue;
      }
      batch.clear();
    }
  }

  /** A value the database refuses (SQLSTATE class 22, data exception): retrying the same batch cannot help. */
  private static boolean isDataError(RuntimeException e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  /** Each record on its own; one the database refuses is stored without its texts, saying so. */
  private void writeOneByOne(List<Pending> batch) {
    for (Pending p : batch) {
      try {
        write(List.of(p));
      } catch (RuntimeException e) {
        AuditRecord r = p.record();
        log.error("Audit record ({} {} by {}) not storable as it was; stored without its texts: {}", r.type(),
            r.subtype(), r.agent().name(), e.getMessage());
        AuditRecord.Agent a = r.agent();
        AuditRecord bare = new AuditRecord(r.recorded(), r.type(), "unstorable", r.action(), r.outcome(),
            "record not storable as sent", new AuditRecord.Agent(a.kind(), "unstorable", null, null, a.breakGlass()),
            java.util.Set.of(), List.of(), r.entityCount(), null, null);
        try {
          rows.append(List.of(bare));
        } catch (RuntimeException again) {
          log.error("Audit record ({} {}) lost: {}", r.type(), r.subtype(), again.getMessage());
        }
      }
    }
  }

  private void write(List<Pending> batch) {
    Set<String> unresolved = new LinkedHashSet<>();
    for (Pending p : batch) {
      if (p.resolvePatients()) {
        unresolved.addAll(p.record().entities());
      }
    }
    Map<String, Set<String>> found = unresolved.isEmpty() ? Map.of() : patients.ofStored(unresolved);
    List<AuditRecord> out = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      AuditRecord r = p.record();
      partitions.cover(r.recorded());
      if (p.resolvePatients()) {
        Set<String> ps = new LinkedHashSet<>(r.patients());
        for (String e : r.entities()) {
          ps.addAll(found.getOrDefault(e, Set.of()));
        }
        r = new AuditRecord(r.recorded(), r.type(), r.subtype(), r.action(), r.outcome(), r.outcomeText(), r.agent(),
            ps, r.entities(), r.entityCount(), r.detail(), r.requestId());
      }
      out.add(r);
    }
    if (atna.enabled()) {
      tx.executeWithoutResult(s -> { // forwarded exactly when stored
        rows.append(out);
        atna.export(out);
      });
    } else {
      rows.append(out);
    }
  }

  /** Waits until everything queued so far is stored (tests, and the shutdown). */
  public void drain() {
    if (!running) {
      return;
    }
    long target = queued.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (stored.get() < target && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void start() {
    running = true;
    flusher = new Thread(this::flushLoop, "audit-flush");
    flusher.setDaemon(true);
    flusher.start();
  }

  @Override
  public void stop() {
    running = false;
    try {
      flusher.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    if (!rest.isEmpty()) {
      write(rest);
    }
    log.info("Audit trail flushed");
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /**
   * Stops after the listeners and after the web server has stopped (Boot's web server lifecycle is
   * DEFAULT_PHASE - 2048; higher phases stop first), before the database closes with the context.
   */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }
}
