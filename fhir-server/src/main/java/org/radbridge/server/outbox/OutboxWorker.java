package org.radbridge.server.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.radbridge.server.RadBridgeProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers outbox rows. Each worker thread takes a key with due rows, holds it for one transaction
 * (an advisory lock, so one deliverer per key across all nodes), delivers the key's pending rows in
 * order until one fails, and commits what was delivered with the failure's backoff. A row is
 * marked delivered only after its handler returned, in the transaction that held the key: a crash
 * before the commit means it is delivered again (at-least-once), never skipped.
 */
@Component
public class OutboxWorker {
  private static final Logger log = LoggerFactory.getLogger(OutboxWorker.class);

  private final OutboxRows rows;
  private final TransactionTemplate tx;
  private final RadBridgeProperties.Outbox settings;
  private final Map<String, DeliveryHandler> handlers;
  private final List<DeliveryObserver> observers;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private volatile boolean woken;
  private volatile boolean running = true;
  private ExecutorService threads;
  private volatile Instant lastPurge = Instant.EPOCH;

  public OutboxWorker(OutboxRows rows, TransactionTemplate tx, RadBridgeProperties props, List<DeliveryHandler> handlers,
      List<DeliveryObserver> observers) {
    this.observers = observers;
    this.rows = rows;
    this.tx = tx;
    this.settings = props.getOutbox();
    this.handlers = handlers.stream().collect(Collectors.toMap(DeliveryHandler::kind, Function.identity()));
  }

  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    threads = Executors.newFixedThreadPool(settings.getWorkers(), r -> {
      Thread t = new Thread(r, "outbox-worker");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < settings.getWorkers(); i++) {
      threads.submit(this::loop);
    }
  }

  @jakarta.annotation.PreDestroy
  public void stop() throws InterruptedException {
    running = false;
    wake();
    if (threads != null) {
      threads.shutdown();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** A row was committed on this node: look now instead of at the next poll. */
  public void wake() {
    lock.lock();
    try {
      woken = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (running) {
      boolean didWork = false;
      try {
        didWork = runOnce();
        purgeNowAndThen();
      } catch (RuntimeException e) {
        if (running) {
          log.warn("Outbox worker: {}", e.toString());
        }
      }
      if (!didWork) {
        sleep();
      }
    }
  }

  private void sleep() {
    lock.lock();
    try {
      if (!woken && running) {
        work.await(settings.getPollInterval().toMillis(), TimeUnit.MILLISECONDS);
      }
      woken = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /** One pass over the keys with due rows; true when something was delivered or failed. */
  public boolean runOnce() {
    boolean did = false;
    for (String key : rows.dueKeys(64)) {
      Boolean d = tx.execute(s -> deliverKey(key));
      did |= Boolean.TRUE.equals(d);
      if (!running) {
        break;
      }
    }
    return did;
  }

  private boolean deliverKey(String key) {
    if (!rows.tryLockKey(key)) {
      return false; // another worker (this node or another) has it
    }
    List<OutboxRow> pending = rows.pendingOfKey(key, settings.getBatchSize());
    if (pending.isEmpty() || pending.get(0).nextAttemptAt().isAfter(Instant.now())) {
      return false; // the head is backing off, and the rows behind it wait for it
    }
    List<OutboxRow> delivered = new ArrayList<>();
    for (OutboxRow row : pending) {
      DeliveryHandler handler = handlers.get(row.kind());
      try {
        if (handler == null) {
          throw new IllegalStateException("no delivery handler for kind '" + row.kind() + "'");
        }
        handler.deliver(row);
        delivered.add(row);
      } catch (Exception e) {
        fail(row, e);
        break;
      }
    }
    if (!delivered.isEmpty()) {
      rows.markDelivered(delivered.stream().map(OutboxRow::id).toList());
      for (OutboxRow row : delivered) {
        observers.forEach(o -> o.delivered(row));
      }
    }
    return true;
  }

  private void fail(OutboxRow row, Exception e) {
    String error = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (error.length() > 2000) {
      error = error.substring(0, 2000);
    }
    int attempt = row.attempts() + 1;
    long backoff = settings.getInitialBackoff().toMillis() << Math.min(attempt - 1, 20);
    Duration wait = Duration.ofMillis(Math.min(backoff, settings.getMaxBackoff().toMillis()));
    Instant next = Instant.now().plus(wait);
    boolean dead = next.isAfter(row.createdAt().plus(settings.getHorizon()));
    rows.markFailed(row.id(), error, next, dead);
    if (dead) {
      log.warn("Outbox row {} to {} is dead after {} attempts: {}", row.id(), row.destination(), attempt, error);
      DeliveryHandler handler = handlers.get(row.kind());
      if (handler != null) {
        handler.dead(row, error);
      }
    } else {
      log.info("Outbox row {} to {} failed (attempt {}), retry in {} ms: {}", row.id(), row.destination(), attempt,
          wait.toMillis(), error);
    }
  }

  private void purgeNowAndThen() {
    Instant now = Instant.now();
    if (now.isAfter(lastPurge.plusSeconds(600))) {
      lastPurge = now;
      int n = rows.purgeDelivered(now.minus(settings.getKeepDelivered()));
      if (n > 0) {
        log.info("Outbox: purged {} delivered rows", n);
      }
    }
  }
}
