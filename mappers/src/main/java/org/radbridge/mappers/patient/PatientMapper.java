package org.radbridge.mappers.patient;

import java.time.ZoneId;
import java.util.function.Function;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.mappers.dicom.ImagingStudyMapper;
import org.radbridge.mappers.hl7v2.OrmMapper;
import org.radbridge.terminology.NetworkUrls;

/**
 * A patient as HL7 v2 (PID) and DICOM (the patient module) describe them, mapped one way for both:
 * the identifier in the system its issuer maps to, name, sex and birth date. Both channels resolve
 * the result through the server's identity table, so they must agree on every element.
 */
public final class PatientMapper {
  private PatientMapper() {}

  /**
   * What a mapping needs beyond the message: the zone of local dates, and the identifier system of
   * a patient ID from an issuer (HL7 PID-3.4, DICOM Issuer of Patient ID; null when none is given)
   * as the sending organisation means it.
   */
  public record MappingContext(ZoneId zone, Function<String, String> patientIdSystem) {}

  /** PID-3 (the chosen repetition), PID-5, PID-7, PID-8. */
  public static Patient fromHl7(OrmMapper.PatientData p, MappingContext ctx) {
    Patient patient = withIdentifier(ctx, p.assigningAuthority(), p.id());
    if (p.family() != null || p.given() != null) {
      HumanName name = patient.addName().setFamily(p.family());
      if (p.given() != null) {
        name.addGiven(p.given());
      }
    }
    setBirthDate(patient, p.birthDate());
    setGender(patient, p.sex());
    return patient;
  }

  /**
   * Identifier system of a patient DICOM sent without a Patient ID: known only as the subject of
   * one study, whose Study Instance UID is the value (identifier use "temp": to be reconciled).
   */
  public static final String STUDY_SUBJECT_SYSTEM = NetworkUrls.BASE + "/sid/dicom-study-subject";

  /**
   * Patient ID with its issuer, Patient's Name (first component group), Sex, Birth Date. Without a
   * Patient ID the patient is identified by the study ({@link #STUDY_SUBJECT_SYSTEM}), since an
   * ImagingStudy needs a subject and the hub keeps what it is sent.
   */
  public static Patient fromDicom(DicomInstance i, MappingContext ctx) {
    Patient patient = withIdentifier(ctx, i.issuerOfPatientId(), i.patientId());
    if (!patient.hasIdentifier() && i.studyInstanceUid() != null && !i.studyInstanceUid().isBlank()) {
      patient.addIdentifier().setUse(Identifier.IdentifierUse.TEMP).setSystem(STUDY_SUBJECT_SYSTEM)
          .setValue(i.studyInstanceUid().trim());
    }
    if (i.patientName() != null && !i.patientName().isBlank()) {
      String[] parts = i.patientName().split("=", -1)[0].split("\\^", -1);
      HumanName name = patient.addName().setFamily(parts[0].isBlank() ? null : parts[0].trim());
      if (parts.length > 1 && !parts[1].isBlank()) {
        name.addGiven(parts[1].trim());
      }
      name.setText(ImagingStudyMapper.personName(i.patientName()));
    }
    setBirthDate(patient, i.patientBirthDate());
    setGender(patient, i.patientSex());
    return patient;
  }

  private static Patient withIdentifier(MappingContext ctx, String issuer, String value) {
    Patient patient = new Patient();
    if (value != null && !value.isBlank()) {
      patient.addIdentifier().setSystem(ctx.patientIdSystem().apply(issuer)).setValue(value.trim());
    }
    return patient;
  }

  /**
   * HL7 table 0001 and DICOM Patient's Sex alike: M male, F female, O other, A (ambiguous, HL7)
   * other; U, N or anything else unknown. Absent stays absent.
   */
  static AdministrativeGender gender(String code) {
    return switch (code.trim().toUpperCase(java.util.Locale.ROOT)) {
      case "M" -> AdministrativeGender.MALE;
      case "F" -> AdministrativeGender.FEMALE;
      case "O", "A" -> AdministrativeGender.OTHER;
      default -> AdministrativeGender.UNKNOWN;
    };
  }

  private static void setGender(Patient patient, String code) {
    if (code != null && !code.isBlank()) {
      patient.setGender(gender(code));
    }
  }

  /** The first eight digits (HL7 DT/DTM, DICOM DA) when they are a real date; otherwise no birth date. */
  private static void setBirthDate(Patient patient, String value) {
    if (value == null || value.trim().length() < 8) {
      return;
    }
    String d = value.trim().substring(0, 8);
    try {
      java.time.LocalDate.parse(d, java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
      patient.setBirthDateElement(new DateType(d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6, 8)));
    } catch (java.time.DateTimeException notADate) {
      // HL7 refuses an impossible PID-7 earlier (V2DateTimes); DICOM keeps the study and drops the date
    }
  }
}
