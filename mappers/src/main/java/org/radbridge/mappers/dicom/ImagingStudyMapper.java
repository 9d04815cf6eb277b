package org.radbridge.mappers.dicom;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Reference;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.radbridge.terminology.DicomModalities;
import org.radbridge.terminology.NetworkUrls;

/**
 * DICOM instances of one study → {@code ImagingStudy}, per the FHIR R4 DICOM mapping
 * (imagingstudy-mappings): Study Instance UID as identifier {@code urn:dicom:uid}, accession number
 * typed ACSN in the sender's system, modalities, started, description, referrer, series with
 * uid/number/modality/description/body site/laterality/started, instances with uid/SOP
 * class/number/title, and the counts, computed from the instances given. A series without a
 * Modality gets the one its SOP class fixes, else OT ({@link SopClassModality}): FHIR requires one.
 * Claims the network's {@code rb-imaging-study} profile only when the result satisfies it (a
 * subject, a Study Instance UID that is a valid DICOM UID, every modality in CID 33), so a study
 * with an unusual value is still written, just without the claim.
 */
public final class ImagingStudyMapper {
  public static final String PROFILE = NetworkUrls.structureDefinition("rb-imaging-study");
  private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
  // rb-is-1: a DICOM UID (PS3.5 9.1: digits and dots, no leading zero in a component)
  private static final Pattern STUDY_UID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))*");

  private ImagingStudyMapper() {}

  /** Where the study belongs: filled by the gateway from the network's identity table and orders. */
  public record Context(String accessionSystem, String patientReference, String orderReference, ZoneId zone) {}

  /** @param instances every instance of the study (any order); at least one */
  public static ImagingStudy map(List<DicomInstance> instances, Context context) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("a study needs at least one instance");
    }
    DicomInstance first = instances.get(0);
    ImagingStudy study = new ImagingStudy();
    study.addIdentifier().setSystem("urn:dicom:uid").setValue("urn:oid:" + first.studyInstanceUid());
    firstNonBlank(instances, DicomInstance::accessionNumber).ifPresent(acc -> study.addIdentifier()
        .setType(new CodeableConcept(new Coding(NetworkUrls.V2_0203, "ACSN", null)))
        .setSystem(context.accessionSystem()).setValue(acc));
    study.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
    if (context.patientReference() != null) {
      study.setSubject(new Reference(context.patientReference()));
    }
    if (context.orderReference() != null) {
      study.addBasedOn(new Reference(context.orderReference()));
    }
    dateTime(first.studyDate(), first.studyTime(), context.zone()).ifPresent(study::setStartedElement);
    firstNonBlank(instances, DicomInstance::studyDescription).ifPresent(study::setDescription);
    firstNonBlank(instances, DicomInstance::referringPhysicianName)
        .ifPresent(pn -> study.setReferrer(new Reference().setDisplay(personName(pn))));

    Map<String, List<DicomInstance>> bySeries = new LinkedHashMap<>();
    instances.stream().sorted(Comparator.comparing((DicomInstance i) -> number(i.seriesNumber()))
            .thenComparing(DicomInstance::seriesInstanceUid)
            .thenComparing(i -> number(i.instanceNumber())).thenComparing(DicomInstance::sopInstanceUid))
        .forEach(i -> bySeries.computeIfAbsent(i.seriesInstanceUid(), k -> new java.util.ArrayList<>()).add(i));
    int instanceCount = 0;
    for (List<DicomInstance> members : bySeries.values()) {
      DicomInstance s = members.get(0);
      ImagingStudy.ImagingStudySeriesComponent series = study.addSeries().setUid(s.seriesInstanceUid());
      parseInt(s.seriesNumber()).ifPresent(series::setNumber);
      String modality = firstNonBlank(members, DicomInstance::modality).orElseGet(() -> SopClassModality.modalityOf(s));
      series.setModality(new Coding(NetworkUrls.DCM, modality, null));
      if (study.getModality().stream().noneMatch(m -> modality.equals(m.getCode()))) {
        study.addModality(new Coding(NetworkUrls.DCM, modality, null));
      }
      firstNonBlank(members, DicomInstance::seriesDescription).ifPresent(series::setDescription);
      firstNonBlank(members, DicomInstance::bodyPartExamined).ifPresent(b -> series.setBodySite(new Coding().setDisplay(b)));
      firstNonBlank(members, DicomInstance::laterality).ifPresent(l -> series.setLaterality(new Coding().setCode(l)));
      dateTime(s.seriesDate(), s.seriesTime(), context.zone()).ifPresent(series::setStartedElement);
      for (DicomInstance i : members) {
        ImagingStudy.ImagingStudySeriesInstanceComponent instance = series.addInstance().setUid(i.sopInstanceUid())
            .setSopClass(new Coding("urn:ietf:rfc:3986", "urn:oid:" + i.sopClassUid(), null));
        parseInt(i.instanceNumber()).ifPresent(instance::setNumber);
        if (i.contentLabel() != null && !i.contentLabel().isBlank()) {
          instance.setTitle(i.contentLabel());
        }
      }
      series.setNumberOfInstances(members.size());
      instanceCount += members.size();
    }
    study.setNumberOfSeries(bySeries.size());
    study.setNumberOfInstances(instanceCount);
    if (satisfiesProfile(study, first.studyInstanceUid())) {
      study.getMeta().addProfile(PROFILE);
    }
    return study;
  }

  /**
   * What rb-imaging-study (and the base ImagingStudy) asks of what this mapper may leave out or pass
   * through as sent: the subject, rule rb-is-1 on the Study Instance UID, the modality binding.
   */
  static boolean satisfiesProfile(ImagingStudy study, String studyInstanceUid) {
    return study.hasSubject() && studyInstanceUid != null && STUDY_UID.matcher(studyInstanceUid).matches() && studyInstanceUid.length() <= 64
        && study.getModality().stream().allMatch(m -> DicomModalities.contains(m.getCode()))
        && study.getSeries().stream().allMatch(s -> DicomModalities.contains(s.getModality().getCode()));
  }

  /** DICOM PN ({@code Family^Given^Middle^Prefix^Suffix}, first component group) as display text. */
  public static String personName(String pn) {
    String alphabetic = pn.split("=", -1)[0];
    String[] parts = alphabetic.split("\\^", -1);
    StringBuilder sb = new StringBuilder();
    for (int i : new int[] {3, 1, 2, 0, 4}) {
      if (i < parts.length && !parts[i].isBlank()) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(parts[i].trim());
      }
    }
    return sb.length() == 0 ? pn : sb.toString();
  }

  /** DA + TM in the given zone, at the precision the values carry; empty when absent or invalid. */
  public static Optional<DateTimeType> dateTime(String da, String tm, ZoneId zone) {
    if (da == null || da.isBlank()) {
      return Optional.empty();
    }
    try {
      LocalDate date = LocalDate.parse(da.trim(), DA);
      if (tm == null || tm.isBlank()) {
        return Optional.of(new DateTimeType(Date.from(date.atStartOfDay(zone).toInstant()), TemporalPrecisionEnum.DAY,
            java.util.TimeZone.getTimeZone(zone)));
      }
      String t = tm.trim();
      int hh = Integer.parseInt(t.substring(0, 2));
      int mm = t.length() >= 4 ? Integer.parseInt(t.substring(2, 4)) : 0;
      int ss = t.length() >= 6 ? Integer.parseInt(t.substring(4, 6)) : 0;
      int nanos = 0;
      if (t.length() > 7 && t.charAt(6) == '.') {
        String frac = (t.substring(7) + "000000000").substring(0, 9);
        nanos = Integer.parseInt(frac);
      }
      LocalDateTime ldt = LocalDateTime.of(date, LocalTime.of(hh, mm, ss, nanos));
      TemporalPrecisionEnum precision = nanos > 0 ? TemporalPrecisionEnum.MILLI : TemporalPrecisionEnum.SECOND;
      return Optional.of(new DateTimeType(Date.from(ldt.atZone(zone).toInstant()), precision,
          java.util.TimeZone.getTimeZone(zone)));
    } catch (NumberFormatException | StringIndexOutOfBoundsException | java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> firstNonBlank(List<DicomInstance> instances,
      java.util.function.Function<DicomInstance, String> f) {
    return instances.stream().map(f).filter(v -> v != null && !v.isBlank()).map(String::trim).findFirst();
  }

  private static Optional<Integer> parseInt(String s) {
    try {
      return s == null || s.isBlank() ? Optional.empty() : Optional.of(Integer.parseInt(s.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int number(String s) {
    return parseInt(s).orElse(Integer.MAX_VALUE);
  }
}
