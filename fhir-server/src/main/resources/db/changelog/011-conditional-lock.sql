--liquibase formatted sql

--changeset radbridge:011-conditional-lock
-- Conditional writes (create, update, patch, delete; REST, bundles and every channel) are now made
-- exactly-once by a transaction-scoped advisory lock on the canonical criteria, taken before the
-- match is looked up. The key table served conditional create only, and is no longer written.
DROP TABLE conditional_create;
