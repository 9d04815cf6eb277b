package org.radbridge.mappers.dicom;

/**
 * The attributes of one stored DICOM instance that the FHIR mapping uses, as text exactly as in
 * the dataset (DA yyyyMMdd, TM HHmmss.ffffff, PN with ^ separators); null when absent. The DICOM
 * gateway extracts one per received instance and keeps it as the instance's row.
 */
public record DicomInstance(
    String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, String sopClassUid,
    String instanceNumber, String seriesNumber, String modality, String seriesDescription,
    String bodyPartExamined, String laterality, String seriesDate, String seriesTime,
    String studyDate, String studyTime, String studyDescription, String accessionNumber,
    String referringPhysicianName, String patientId, String issuerOfPatientId, String patientName,
    String patientBirthDate, String patientSex, String contentLabel) {}
