--liquibase formatted sql

--changeset radbridge:021-readers-backfill
-- Rows stored before changeset 017 have no readers. When there are any, a job
-- (security/ReadersBackfill) gives them the readers their content names.
INSERT INTO job (kind, state, subject, payload)
SELECT 'readers-backfill', 'queued', 'rows stored before organisation scoping', ''
WHERE EXISTS (SELECT 1 FROM resource WHERE own_readers = '{}' AND NOT deleted);
