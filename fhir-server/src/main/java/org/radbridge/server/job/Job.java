package org.radbridge.server.job;

import java.time.Instant;

/** A row of the job table. */
public record Job(long id, String kind, String state, String subject, String payload, long cursorPk,
    long processed, Long total, int attempts, int maxAttempts, Instant nextRunAt, String lastError,
    Instant createdAt, Instant updatedAt) {

  public boolean isDone() {
    return "done".equals(state);
  }
}
