package org.radbridge.server.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.server.store.Visibility;
import org.springframework.stereotype.Component;

/**
 * Study Root Query/Retrieve C-FIND at STUDY and SERIES level over the received instances (their
 * rows): the attributes a PACS or viewer filters on, with the counts RadBridge computes.
 * Matching and return keys as in {@link QueryMatching}. Only the studies the calling node may see
 * are candidates, chosen in the SQL ({@link InstanceRows#visibleStudies}): the readers of the
 * study's ImagingStudy, or the senders' organisations while it is not written yet.
 */
@Component
public class StudyRootFind {
  static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
  private static final int MAX_STUDIES = 1000;

  private final InstanceRows rows;

  public StudyRootFind(InstanceRows rows) {
    this.rows = rows;
  }

  /** Matches among the studies {@code visibility} lets the caller see, with the query's keys only. */
  public List<AttributeList> find(AttributeList query, String characterSet, Visibility visibility) throws DicomException {
    String level = Attribute.getSingleStringValueOrNull(query, TagFromName.QueryRetrieveLevel);
    level = level == null ? "" : level.trim();
    if (!level.equals("STUDY") && !level.equals("SERIES")) {
      throw new DicomException("Query/Retrieve Level must be STUDY or SERIES, not '" + level + "'");
    }
    String studyUid = Attribute.getSingleStringValueOrNull(query, TagFromName.StudyInstanceUID);
    if (level.equals("SERIES") && (studyUid == null || studyUid.isBlank() || studyUid.contains("\\"))) {
      throw new DicomException("A SERIES level query needs one Study Instance UID");
    }
    SpecificCharacterSet cs = new SpecificCharacterSet(new String[] {characterSet});
    List<String> studies = rows.visibleStudies(studyUid != null && !studyUid.isBlank() && !studyUid.contains("\\")
        ? studyUid.trim() : null, visibility, MAX_STUDIES);
    List<AttributeList> out = new ArrayList<>();
    for (String uid : studies) {
      List<DicomInstance> instances = rows.ofStudy(uid);
      if (instances.isEmpty()) {
        continue;
      }
      List<AttributeList> candidates = level.equals("STUDY") ? List.of(study(instances, cs)) : series(instances, cs);
      for (AttributeList c : candidates) {
        if (QueryMatching.matches(query, c)) {
          AttributeList projected = QueryMatching.project(query, c);
          put(projected, new CodeStringAttribute(TagFromName.SpecificCharacterSet), characterSet);
          put(projected, new CodeStringAttribute(TagFromName.QueryRetrieveLevel), level);
          out.add(projected);
        }
      }
    }
    return out;
  }

  private static AttributeList study(List<DicomInstance> instances, SpecificCharacterSet cs) throws DicomException {
    DicomInstance f = instances.get(0);
    AttributeList l = new AttributeList();
    put(l, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), f.studyInstanceUid());
    put(l, new DateAttribute(TagFromName.StudyDate), f.studyDate());
    put(l, new TimeAttribute(TagFromName.StudyTime), f.studyTime());
    put(l, new ShortStringAttribute(TagFromName.AccessionNumber, cs), f.accessionNumber());
    put(l, new PersonNameAttribute(TagFromName.PatientName, cs), f.patientName());
    put(l, new LongStringAttribute(TagFromName.PatientID, cs), f.patientId());
    put(l, new DateAttribute(TagFromName.PatientBirthDate), f.patientBirthDate());
    put(l, new CodeStringAttribute(TagFromName.PatientSex), f.patientSex());
    put(l, new LongStringAttribute(TagFromName.StudyDescription, cs), f.studyDescription());
    put(l, new PersonNameAttribute(TagFromName.ReferringPhysicianName, cs), f.referringPhysicianName());
    Set<String> modalities = new LinkedHashSet<>();
    Set<String> series = new LinkedHashSet<>();
    for (DicomInstance i : instances) {
      if (i.modality() != null) {
        modalities.add(i.modality());
      }
      series.add(i.seriesInstanceUid());
    }
    CodeStringAttribute mods = new CodeStringAttribute(TagFromName.ModalitiesInStudy);
    for (String m : modalities) {
      mods.addValue(m);
    }
    l.put(mods);
    put(l, new IntegerStringAttribute(TagFromName.NumberOfStudyRelatedSeries), String.valueOf(series.size()));
    put(l, new IntegerStringAttribute(TagFromName.NumberOfStudyRelatedInstances), String.valueOf(instances.size()));
    return l;
  }

  private static List<AttributeList> series(List<DicomInstance> instances, SpecificCharacterSet cs) throws DicomException {
    Map<String, List<DicomInstance>> bySeries = new LinkedHashMap<>();
    instances.forEach(i -> bySeries.computeIfAbsent(i.seriesInstanceUid(), k -> new ArrayList<>()).add(i));
    List<AttributeList> out = new ArrayList<>();
    for (List<DicomInstance> members : bySeries.values()) {
      DicomInstance s = members.get(0);
      AttributeList l = new AttributeList();
      put(l, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), s.studyInstanceUid());
      put(l, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), s.seriesInstanceUid());
      put(l, new CodeStringAttribute(TagFromName.Modality), s.modality());
      put(l, new IntegerStringAttribute(TagFromName.SeriesNumber), s.seriesNumber());
      put(l, new LongStringAttribute(TagFromName.SeriesDescription, cs), s.seriesDescription());
      put(l, new CodeStringAttribute(TagFromName.BodyPartExamined), s.bodyPartExamined());
      put(l, new DateAttribute(TagFromName.SeriesDate), s.seriesDate());
      put(l, new IntegerStringAttribute(TagFromName.NumberOfSeriesRelatedInstances), String.valueOf(members.size()));
      out.add(l);
    }
    return out;
  }

  private static void put(AttributeList l, Attribute a, String value) throws DicomException {
    if (value != null && !value.isBlank()) {
      a.addValue(value);
    }
    l.put(a);
  }
}
