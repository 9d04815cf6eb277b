package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import org.radbridge.mappers.dicom.DicomInstance;

/** PixelMed attributes → the mapping's {@link DicomInstance} (text values as in the data set). */
final class DicomAttributes {
  private DicomAttributes() {}

  static DicomInstance instance(AttributeList l) {
    return new DicomInstance(s(l, TagFromName.StudyInstanceUID), s(l, TagFromName.SeriesInstanceUID),
        s(l, TagFromName.SOPInstanceUID), s(l, TagFromName.SOPClassUID), s(l, TagFromName.InstanceNumber),
        s(l, TagFromName.SeriesNumber), s(l, TagFromName.Modality), s(l, TagFromName.SeriesDescription),
        s(l, TagFromName.BodyPartExamined), s(l, TagFromName.Laterality), s(l, TagFromName.SeriesDate),
        s(l, TagFromName.SeriesTime), s(l, TagFromName.StudyDate), s(l, TagFromName.StudyTime),
        s(l, TagFromName.StudyDescription), s(l, TagFromName.AccessionNumber), s(l, TagFromName.ReferringPhysicianName),
        s(l, TagFromName.PatientID), s(l, TagFromName.IssuerOfPatientID), s(l, TagFromName.PatientName),
        s(l, TagFromName.PatientBirthDate), s(l, TagFromName.PatientSex), s(l, TagFromName.ContentLabel));
  }

  private static String s(AttributeList l, AttributeTag tag) {
    // trim() also drops the NULs that pad a value (UIDs are padded with NUL to an even length)
    String v = Attribute.getSingleStringValueOrNull(l, tag);
    String t = v == null ? null : v.trim();
    return t == null || t.isEmpty() ? null : t;
  }
}
