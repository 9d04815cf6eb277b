--liquibase formatted sql

--changeset radbridge:007-dicom-retention
-- When retention removed the instance's file; the row stays (the ImagingStudy and study-root
-- C-FIND still describe the instance).
ALTER TABLE dicom_instance ADD COLUMN file_removed_at timestamptz;
CREATE INDEX ix_dicom_instance_files ON dicom_instance (study_instance_uid) WHERE file_removed_at IS NULL;
