--liquibase formatted sql

--changeset radbridge:019-dicom-sender-org
-- The organisation (key) of the DICOM node that sent the instance, as the network directory knew it
-- when the instance arrived (null: a peer of no organisation, let in by accept-unknown-peers, or a row
-- from before this change). Study-root C-FIND shows a study whose ImagingStudy is not written yet to
-- the organisations that sent it; once it is, the ImagingStudy's readers decide.
ALTER TABLE dicom_instance ADD COLUMN sender_org text;
