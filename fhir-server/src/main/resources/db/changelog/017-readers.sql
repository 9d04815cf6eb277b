--liquibase formatted sql

--changeset radbridge:017-readers
-- Who may read a resource, as organisation keys ('*': every organisation of the network), set by the
-- write pipeline and joined on by every read: own_readers from the resource itself (who wrote it,
-- whose identifiers it carries, whom an order names), readers = own_readers and what it inherits
-- from the orders it belongs to (recomputed when an order is re-routed). Rows written before this
-- change keep '{}': administrators and the exchange read them until they are written again.
ALTER TABLE resource ADD COLUMN own_readers text[] NOT NULL DEFAULT '{}';
ALTER TABLE resource ADD COLUMN readers text[] NOT NULL DEFAULT '{}';
CREATE INDEX ix_resource_readers ON resource USING gin (readers);
