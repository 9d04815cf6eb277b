package org.radbridge.server.outbox;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Where changes leave word for the outside: {@link #enqueue} writes a row in the caller's
 * transaction, so the message exists exactly when the change does. After the commit this node's
 * worker is woken at once; other nodes find the row on their next poll.
 */
@Service
public class Outbox {
  private final OutboxRows rows;
  private final OutboxWorker worker;

  public Outbox(OutboxRows rows, OutboxWorker worker) {
    this.rows = rows;
    this.worker = worker;
  }

  /**
   * @param kind the {@link DeliveryHandler} that delivers it
   * @param destination where it goes (a URL, an AE title, an Endpoint): metrics and admin group by it
   * @param orderingKey rows with the same key are delivered one at a time, in the order written
   * @return the row's id
   */
  public long enqueue(String kind, String destination, String orderingKey, String payload, String contentType) {
    return enqueue(kind, destination, orderingKey, payload, contentType, null);
  }

  /** As {@link #enqueue(String, String, String, String, String)}, naming the resource the row carries word of. */
  public long enqueue(String kind, String destination, String orderingKey, String payload, String contentType,
      String subject) {
    long id = rows.insert(kind, destination, orderingKey, payload, contentType, subject);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          worker.wake();
        }
      });
    } else {
      worker.wake();
    }
    return id;
  }
}
