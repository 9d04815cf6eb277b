package org.radbridge.server.outbox;

/**
 * Delivers outbox rows of one kind (an HTTP POST, a subscription notification, a C-STORE, an HL7
 * message). Returning normally means the receiver acknowledged the row; throwing means try again
 * later. Called with the row's ordering key held, so rows of one key never overlap.
 */
public interface DeliveryHandler {
  /** The {@code kind} of the rows this handler delivers. */
  String kind();

  void deliver(OutboxRow row) throws Exception;

  /** Told, in the worker's transaction, when a row outlived the retry horizon and is dead. */
  default void dead(OutboxRow row, String error) {}
}
