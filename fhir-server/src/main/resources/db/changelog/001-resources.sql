--liquibase formatted sql

--changeset radbridge:001-resource
-- Current version of every resource. res_pk is the compact key every other table uses.
CREATE TABLE resource (
  res_pk        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  res_type      varchar(64)  NOT NULL,
  res_id        varchar(64)  NOT NULL,
  version_id    integer      NOT NULL,
  last_updated  timestamptz  NOT NULL,
  deleted       boolean      NOT NULL DEFAULT false,
  content       text,
  CONSTRAINT uq_resource_type_id UNIQUE (res_type, res_id)
);
CREATE INDEX ix_resource_type_updated ON resource (res_type, last_updated, res_pk);

--changeset radbridge:001-resource-version
-- Every version, the current one included: vread and _history read only this table.
CREATE TABLE resource_version (
  res_pk        bigint       NOT NULL REFERENCES resource (res_pk),
  version_id    integer      NOT NULL,
  res_type      varchar(64)  NOT NULL,
  res_id        varchar(64)  NOT NULL,
  last_updated  timestamptz  NOT NULL,
  method        varchar(6)   NOT NULL,
  content       text,
  PRIMARY KEY (res_pk, version_id)
);
CREATE INDEX ix_version_updated ON resource_version (last_updated, res_pk, version_id);
CREATE INDEX ix_version_type_updated ON resource_version (res_type, last_updated, res_pk, version_id);

--changeset radbridge:001-conditional-create
-- One row per (type, normalised If-None-Exist criteria) that created a resource: the unique key
-- makes concurrent identical conditional creates produce exactly one resource, on any node.
CREATE TABLE conditional_create (
  res_type      varchar(64)  NOT NULL,
  criteria_hash char(64)     NOT NULL,
  criteria      text         NOT NULL,
  res_pk        bigint       NOT NULL REFERENCES resource (res_pk),
  PRIMARY KEY (res_type, criteria_hash)
);
CREATE INDEX ix_conditional_create_res ON conditional_create (res_pk);

--changeset radbridge:001-index-tables
-- Search index rows of the current version, one table per search parameter kind.
-- Values that are matched by prefix use COLLATE "C" so a plain B-tree serves LIKE 'abc%'.
CREATE TABLE idx_string (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  value_norm  varchar(256) COLLATE "C" NOT NULL,
  value_exact text         NOT NULL
);
CREATE INDEX ix_string_value ON idx_string (res_type, param, value_norm, res_pk);
CREATE INDEX ix_string_res ON idx_string (res_pk);

CREATE TABLE idx_token (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  system      varchar(512) COLLATE "C",
  code        varchar(512) COLLATE "C",
  text_norm   varchar(256) COLLATE "C"
);
CREATE INDEX ix_token_code ON idx_token (res_type, param, code, system, res_pk);
CREATE INDEX ix_token_res ON idx_token (res_pk);

CREATE TABLE idx_reference (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  target_type varchar(64),
  target_id   varchar(64)  COLLATE "C",
  target_url  varchar(1024) COLLATE "C"
);
CREATE INDEX ix_reference_target ON idx_reference (res_type, param, target_id, target_type, res_pk);
CREATE INDEX ix_reference_url ON idx_reference (res_type, param, target_url, res_pk) WHERE target_url IS NOT NULL;
CREATE INDEX ix_reference_res ON idx_reference (res_pk);

CREATE TABLE idx_date (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  low         timestamptz  NOT NULL,
  high        timestamptz  NOT NULL
);
CREATE INDEX ix_date_low ON idx_date (res_type, param, low, high, res_pk);
CREATE INDEX ix_date_res ON idx_date (res_pk);

CREATE TABLE idx_number (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  value       numeric      NOT NULL
);
CREATE INDEX ix_number_value ON idx_number (res_type, param, value, res_pk);
CREATE INDEX ix_number_res ON idx_number (res_pk);

CREATE TABLE idx_quantity (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  value       numeric      NOT NULL,
  system      varchar(512),
  code        varchar(128),
  unit        varchar(128)
);
CREATE INDEX ix_quantity_value ON idx_quantity (res_type, param, value, res_pk);
CREATE INDEX ix_quantity_res ON idx_quantity (res_pk);

CREATE TABLE idx_uri (
  res_pk      bigint       NOT NULL,
  res_type    varchar(64)  NOT NULL,
  param       varchar(100) NOT NULL,
  uri         varchar(1024) COLLATE "C" NOT NULL
);
CREATE INDEX ix_uri_value ON idx_uri (res_type, param, uri, res_pk);
CREATE INDEX ix_uri_res ON idx_uri (res_pk);
