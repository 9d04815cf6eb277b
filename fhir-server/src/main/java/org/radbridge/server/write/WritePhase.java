package org.radbridge.server.write;

/**
 * The phases of every write, in the order they run (the shape of HAPI's storage pointcuts). The
 * pipeline itself resolves (criteria, If-Match, If-None-Exist) and stores (id, version, meta, rows,
 * index rows); features hook into the phases between.
 */
public enum WritePhase {
  /** Before anything is read or locked: refuse a write that may not happen at all (405, 422). */
  GUARD,
  /** The resource may be completed or refused before validation (an order's identifiers and route). */
  PREPARE,
  /** The resource is checked; issues that do not refuse the write are added as warnings. */
  VALIDATE,
  /** The rows are written; still inside the transaction: outbox rows, Task, turnaround, events. */
  PRE_COMMIT,
  /** The transaction committed: caches and registries catch up. */
  AFTER_COMMIT
}
