--liquibase formatted sql

--changeset radbridge:003-date-sort-indexes
-- Date search and _sort by a date walk these in order: ascending sorts read the earliest value
-- (low, res_pk), descending sorts the latest (high DESC, res_pk) — the same order a page asks for,
-- so a sorted page stops after _count matches instead of sorting every match. Range predicates
-- use whichever bound they constrain.
DROP INDEX ix_date_low;
CREATE INDEX ix_date_low ON idx_date (res_type, param, low, res_pk);
CREATE INDEX ix_date_high ON idx_date (res_type, param, high DESC, res_pk);
