--liquibase formatted sql

--changeset radbridge:022-audit
-- The audit trail (README "Audit"): one compact row per access to patient data on any channel,
-- rendered as a FHIR AuditEvent (IHE BALP) when searched; never updated, deleted only a whole month
-- at a time when it falls out of retention. Partitioned by month on `recorded`; AuditPartitions
-- creates the months ahead and detaches (CONCURRENTLY: writes are never blocked) and drops the old
-- ones. No default partition, so that DETACH CONCURRENTLY is possible.
CREATE SEQUENCE audit_record_id_seq;
CREATE TABLE audit_record (
  id            bigint       NOT NULL DEFAULT nextval('audit_record_id_seq'),
  recorded      timestamptz  NOT NULL,
  type          varchar(32)  NOT NULL,
  subtype       varchar(64)  NOT NULL,
  action        char(1)      NOT NULL,
  outcome       smallint     NOT NULL,
  outcome_text  varchar(500),
  agent_kind    varchar(16)  NOT NULL,
  agent_name    varchar(200) NOT NULL,
  agent_org     varchar(64),
  agent_address varchar(64),
  break_glass   bigint,
  patients      text[]       NOT NULL DEFAULT '{}',
  entities      text[]       NOT NULL DEFAULT '{}',
  entity_count  integer      NOT NULL DEFAULT 0,
  detail        varchar(2000),
  request_id    varchar(64),
  PRIMARY KEY (recorded, id)
) PARTITION BY RANGE (recorded);
CREATE INDEX ix_audit_patients ON audit_record USING gin (patients);
CREATE INDEX ix_audit_entities ON audit_record USING gin (entities);
CREATE INDEX ix_audit_agent ON audit_record (agent_name, recorded);
CREATE INDEX ix_audit_type ON audit_record (type, subtype, recorded);

--changeset radbridge:022-audit-partitions splitStatements:false
-- One partition per calendar month (UTC), audit_record_YYYYMM: this month and the next `ahead`.
CREATE FUNCTION audit_ensure_partitions(ahead integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  made integer := 0;
  name text;
BEGIN
  FOR i IN 0..ahead LOOP
    name := 'audit_record_' || to_char(m, 'YYYYMM');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF audit_record FOR VALUES FROM (%L) TO (%L)', name,
        (m::timestamp AT TIME ZONE 'UTC'), ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      made := made + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;
SELECT audit_ensure_partitions(2);
