--liquibase formatted sql

--changeset radbridge:013-outbox-subject
-- The resource a row carries word of (e.g. DiagnosticReport/7), so features observing deliveries
-- (turnaround: "the final report reached the ordering centre") need not parse payloads or keys.
ALTER TABLE outbox ADD COLUMN subject varchar(300);
