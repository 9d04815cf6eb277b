--liquibase formatted sql

--changeset radbridge:002-job
-- Background work that any node may pick up: workers claim a runnable row with
-- FOR UPDATE SKIP LOCKED, do one bounded step inside that transaction, and record where they got
-- to (cursor_pk, processed), so a job resumes after a crash or restart. Failures are retried with
-- backoff (attempts, next_run_at) until max_attempts. Reindexing uses it now; delivery
-- (subscriptions, forwarding) and exports will be further kinds.
CREATE TABLE job (
  job_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          varchar(32)  NOT NULL,
  state         varchar(16)  NOT NULL,
  subject       varchar(200),
  payload       text         NOT NULL,
  cursor_pk     bigint       NOT NULL DEFAULT 0,
  processed     bigint       NOT NULL DEFAULT 0,
  total         bigint,
  attempts      integer      NOT NULL DEFAULT 0,
  max_attempts  integer      NOT NULL DEFAULT 10,
  next_run_at   timestamptz  NOT NULL DEFAULT now(),
  last_error    text,
  created_at    timestamptz  NOT NULL DEFAULT now(),
  updated_at    timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT ck_job_state CHECK (state IN ('queued', 'running', 'done', 'failed'))
);
CREATE INDEX ix_job_runnable ON job (next_run_at, job_id) WHERE state IN ('queued', 'running');
CREATE INDEX ix_job_subject ON job (kind, subject, job_id);
