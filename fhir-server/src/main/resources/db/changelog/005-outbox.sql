--liquibase formatted sql

--changeset radbridge:005-outbox
-- The transactional outbox: everything someone outside must hear about (a notification, a study to
-- forward, an HL7 message) is a row written in the same transaction as the change that caused it.
-- Workers deliver the rows of one ordering_key one at a time in outbox_id order (a transaction-
-- scoped advisory lock on the key makes one worker, on any node, the key's only deliverer), retry
-- with exponential backoff (attempts, next_attempt_at) until the horizon, then mark the row dead.
-- Delivered rows are kept for a while (metrics, inspection) and purged by the worker.
CREATE TABLE outbox (
  outbox_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             varchar(32)  NOT NULL,
  destination      varchar(300) NOT NULL,
  ordering_key     varchar(300) NOT NULL,
  payload          text         NOT NULL,
  content_type     varchar(100),
  state            varchar(16)  NOT NULL DEFAULT 'pending',
  attempts         integer      NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz  NOT NULL DEFAULT now(),
  last_error       text,
  created_at       timestamptz  NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  CONSTRAINT ck_outbox_state CHECK (state IN ('pending', 'delivered', 'dead', 'discarded'))
);
-- a key's pending rows in order (the worker's per-key read) and the keys with due work
CREATE INDEX ix_outbox_pending ON outbox (ordering_key, outbox_id) WHERE state = 'pending';
CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
-- metrics and the admin API group by destination and state; the purge walks delivered rows by age
CREATE INDEX ix_outbox_destination ON outbox (destination, state);
CREATE INDEX ix_outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
