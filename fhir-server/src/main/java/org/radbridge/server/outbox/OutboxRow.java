package org.radbridge.server.outbox;

import java.time.Instant;

/** One outbox row as the worker and the admin API see it. */
public record OutboxRow(long id, String kind, String destination, String orderingKey, String payload,
    String contentType, String state, int attempts, Instant nextAttemptAt, String lastError, Instant createdAt,
    Instant deliveredAt) {}
