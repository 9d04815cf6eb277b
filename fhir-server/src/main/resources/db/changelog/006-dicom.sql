--liquibase formatted sql

--changeset radbridge:006-dicom-instance
-- One row per received DICOM instance, committed before the C-STORE answers Success (the file is
-- already fsynced and renamed into place). The ImagingStudy is built from these rows, so it is
-- exact however the instances arrived (one association or several, at once or twice);
-- study_synced marks rows the ImagingStudy includes, so a crash between an instance's commit and
-- the study update is repaired at start.
CREATE TABLE dicom_instance (
  sop_instance_uid     varchar(64)  PRIMARY KEY,
  study_instance_uid   varchar(64)  NOT NULL,
  series_instance_uid  varchar(64)  NOT NULL,
  sop_class_uid        varchar(64)  NOT NULL,
  transfer_syntax_uid  varchar(64)  NOT NULL,
  calling_ae           varchar(16)  NOT NULL,
  file_path            text         NOT NULL,
  file_size            bigint       NOT NULL,
  attributes           jsonb        NOT NULL,
  received_at          timestamptz  NOT NULL DEFAULT now(),
  study_synced         boolean      NOT NULL DEFAULT false
);
-- the study's rows (ImagingStudy build, study-root C-FIND) and the studies still to sync
CREATE INDEX ix_dicom_instance_study ON dicom_instance (study_instance_uid, series_instance_uid);
CREATE INDEX ix_dicom_instance_unsynced ON dicom_instance (study_instance_uid) WHERE NOT study_synced;
