package org.radbridge.server.outbox;

import java.time.Instant;

/**
 * One outbox row as the worker and the admin API see it. {@code subject} is the resource the row
 * carries word of (e.g. {@code DiagnosticReport/7}), for {@link DeliveryObserver}s; may be null.
 */
public record OutboxRow(long id, String kind, String destination, String orderingKey, String payload,
    String contentType, String state, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt,
    Instant deliveredAt, String subject) {}
