--liquibase formatted sql

--changeset radbridge:010-turnaround
-- One row per order: when it reached each step of the loop, filled by the write path (the order,
-- its Task's stages) and the outbox (delivery of the final report to the ordering centre). The
-- reading worklist, the SLA watch and the turnaround figures read only this table.
CREATE TABLE order_turnaround (
  order_id        varchar(64)  PRIMARY KEY,
  ordering_org    varchar(128),
  reading_org     varchar(128),
  modality        varchar(16),
  priority        varchar(16)  NOT NULL DEFAULT 'routine',
  status          varchar(32)  NOT NULL,
  ordered_at      timestamptz  NOT NULL,
  scheduled_at    timestamptz,
  study_at        timestamptz,
  due_at          timestamptz,
  preliminary_at  timestamptz,
  final_at        timestamptz,
  delivered_at    timestamptz,
  flagged_at      timestamptz
);
-- the reading worklist: a hospital's studies without a final report
CREATE INDEX ix_turnaround_worklist ON order_turnaround (reading_org, study_at)
  WHERE study_at IS NOT NULL AND final_at IS NULL;
-- the SLA watch: orders past due, not yet flagged
CREATE INDEX ix_turnaround_due ON order_turnaround (due_at)
  WHERE final_at IS NULL AND flagged_at IS NULL;
-- the figures: orders by the time of their final report
CREATE INDEX ix_turnaround_final ON order_turnaround (final_at) WHERE final_at IS NOT NULL;
