package org.radbridge.server.outbox;

/**
 * Told of each row delivered, inside the transaction that marks it delivered (so what it records
 * commits with the delivery, or is redone with it). Features observe deliveries here instead of
 * being called by the delivery handlers.
 */
public interface DeliveryObserver {
  void delivered(OutboxRow row);
}
