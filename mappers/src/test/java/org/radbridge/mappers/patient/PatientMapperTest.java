package org.radbridge.mappers.patient;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.radbridge.mappers.dicom.DicomInstance;
import org.radbridge.mappers.hl7v2.OrmMapper;

/** HL7 v2 and DICOM describe a patient differently; mapped, they must be the same Patient. */
class PatientMapperTest {
  private static final PatientMapper.MappingContext CTX = new PatientMapper.MappingContext(ZoneId.of("Asia/Shanghai"),
      issuer -> "CENTRE_A_MRN".equals(issuer) ? "https://radbridge.org/fhir/sid/centre-a/mrn" : "urn:sender:mrn");

  private static DicomInstance dicom(String patientId, String issuer, String name, String birth, String sex) {
    return new DicomInstance("1.2.3", "1.2.3.1", "1.2.3.1.1", "1.2.840.10008.5.1.4.1.1.2", null, null, "CT", null,
        null, null, null, null, null, null, null, null, null, patientId, issuer, name, birth, sex, null);
  }

  @Test
  void theSamePatientFromHl7AndFromDicomMapsToTheSameElements() {
    Patient fromHl7 = PatientMapper.fromHl7(
        new OrmMapper.PatientData("M1", "CENTRE_A_MRN", "张", "伟", "19610417", "M"), CTX);
    Patient fromDicom = PatientMapper.fromDicom(dicom("M1", "CENTRE_A_MRN", "张^伟=Zhang^Wei", "19610417", "M"), CTX);
    assertThat(fromDicom.getIdentifierFirstRep().getSystem()).isEqualTo("https://radbridge.org/fhir/sid/centre-a/mrn");
    assertThat(fromDicom.getIdentifierFirstRep().equalsDeep(fromHl7.getIdentifierFirstRep())).isTrue();
    assertThat(fromDicom.getNameFirstRep().getFamily()).isEqualTo(fromHl7.getNameFirstRep().getFamily()).isEqualTo("张");
    assertThat(fromDicom.getNameFirstRep().getGivenAsSingleString()).isEqualTo("伟");
    assertThat(fromDicom.getBirthDateElement().getValueAsString()).isEqualTo(fromHl7.getBirthDateElement().getValueAsString())
        .isEqualTo("1961-04-17");
    assertThat(fromDicom.getGender()).isEqualTo(fromHl7.getGender()).isEqualTo(AdministrativeGender.MALE);
  }

  @Test
  void aDicomPatientWithoutPatientIdIsIdentifiedByItsStudyAsATemporaryIdentifier() {
    Patient p = PatientMapper.fromDicom(dicom(null, null, "Doe^Jane", "19700101", "F"), CTX);
    assertThat(p.getIdentifier()).hasSize(1);
    assertThat(p.getIdentifierFirstRep().getSystem()).isEqualTo("https://radbridge.org/fhir/sid/dicom-study-subject");
    assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo("1.2.3");
    assertThat(p.getIdentifierFirstRep().getUse()).isEqualTo(org.hl7.fhir.r4.model.Identifier.IdentifierUse.TEMP);
    assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Doe");
    // with a Patient ID, only that
    assertThat(PatientMapper.fromDicom(dicom("M1", null, null, null, null), CTX).getIdentifier())
        .extracting(i -> i.getSystem() + "|" + i.getValue()).containsExactly("urn:sender:mrn|M1");
  }

  @ParameterizedTest
  @CsvSource({"M,MALE", "F,FEMALE", "O,OTHER", "A,OTHER", "U,UNKNOWN", "N,UNKNOWN", "x,UNKNOWN", "f,FEMALE"})
  void sexCodesOfBothStandardsMapAlike(String code, AdministrativeGender expected) {
    assertThat(PatientMapper.fromHl7(new OrmMapper.PatientData("M1", null, null, null, null, code), CTX).getGender())
        .isEqualTo(expected);
    assertThat(PatientMapper.fromDicom(dicom("M1", null, null, null, code), CTX).getGender()).isEqualTo(expected);
  }

  @Test
  void anImpossibleDicomBirthDateIsDroppedAndAnAbsentSexStaysAbsent() {
    Patient p = PatientMapper.fromDicom(dicom("M2", null, "Li^Na", "19750230", null), CTX);
    assertThat(p.hasBirthDate()).isFalse();
    assertThat(p.hasGender()).isFalse();
    assertThat(p.getIdentifierFirstRep().getSystem()).isEqualTo("urn:sender:mrn");
  }
}
