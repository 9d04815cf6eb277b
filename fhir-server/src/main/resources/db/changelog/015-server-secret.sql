--liquibase formatted sql

--changeset radbridge:015-server-secret
-- Random secrets the nodes share (e.g. the key that signs paging links), created by the first node
-- that needs one; kept in the database so every node of a cluster uses the same.
CREATE TABLE server_secret (
  purpose varchar(64) PRIMARY KEY,
  secret bytea NOT NULL
);
