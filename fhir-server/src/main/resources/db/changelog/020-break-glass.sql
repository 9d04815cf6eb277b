--liquibase formatted sql

--changeset radbridge:020-break-glass
-- Break-glass sessions: a person with the radbridge/break-glass scope declared an emergency, with
-- a reason, for the token they hold (its SHA-256; never the token itself). Until that token expires
-- the organisation predicate is lifted for it, and everything it reads or writes is listed in
-- break_glass_access for a reviewer.
CREATE TABLE break_glass_session (
  id bigserial PRIMARY KEY,
  token_sha256 bytea NOT NULL UNIQUE,
  username text NOT NULL,
  organization text,
  reason text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  reviewed_at timestamptz,
  reviewed_by text
);
CREATE INDEX break_glass_session_unreviewed ON break_glass_session (started_at) WHERE reviewed_at IS NULL;
CREATE TABLE break_glass_access (
  session_id bigint NOT NULL REFERENCES break_glass_session (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  interaction text NOT NULL,
  resource_type varchar(64) NOT NULL,
  resource_id varchar(64) NOT NULL
);
CREATE INDEX break_glass_access_session ON break_glass_access (session_id, at);
