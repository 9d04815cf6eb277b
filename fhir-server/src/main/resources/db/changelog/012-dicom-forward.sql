--liquibase formatted sql

--changeset radbridge:012-dicom-forward
-- What of each study has been sent where: one row per instance and destination PACS (AE title),
-- written with its outbox row in the transaction that decided to forward it, delivered_at set in
-- the transaction that marks the outbox row delivered. Forwarding asks it what a PACS has not been
-- sent (so an instance goes once to each destination whatever triggers it: instances arriving,
-- the order routed, the order re-routed); retention asks it whether a study's forwarding is done.
-- Unlike outbox rows, these rows are never purged.
CREATE TABLE dicom_forward (
  sop_instance_uid    varchar(64)  NOT NULL REFERENCES dicom_instance (sop_instance_uid),
  destination         varchar(16)  NOT NULL,
  study_instance_uid  varchar(64)  NOT NULL,
  outbox_id           bigint,
  queued_at           timestamptz  NOT NULL DEFAULT now(),
  delivered_at        timestamptz,
  PRIMARY KEY (sop_instance_uid, destination)
);
CREATE INDEX ix_dicom_forward_study ON dicom_forward (study_instance_uid);
CREATE INDEX ix_dicom_forward_outbox ON dicom_forward (outbox_id);
-- what was forwarded before this table existed, from the outbox rows not purged yet
INSERT INTO dicom_forward (sop_instance_uid, destination, study_instance_uid, outbox_id, queued_at, delivered_at)
SELECT i.sop_instance_uid, left(o.destination, 16), i.study_instance_uid, o.outbox_id, o.created_at, o.delivered_at
FROM outbox o JOIN dicom_instance i ON i.file_path = o.payload
WHERE o.kind = 'dicom-cstore'
ON CONFLICT DO NOTHING;
