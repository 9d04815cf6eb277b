package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.RadBridgeProperties;
import org.radbridge.server.ServerTestBase;
import org.springframework.beans.factory.annotation.Autowired;

/** The C-STORE handler's storage step and the ImagingStudy built from the stored instances. */
class DicomStorageTest extends ServerTestBase {
  @TempDir
  Path tmp;
  @Autowired
  DicomStorage storage;
  @Autowired
  StudyAssembler studies;
  @Autowired
  RadBridgeProperties props;

  private StoreStatus store(Path file) throws Exception {
    TestDicomFiles.Dataset d = TestDicomFiles.dataset(file);
    return storage.store("CT_A", "centre-a", TestDicomFiles.tag(file, "0008,0016"), TestDicomFiles.tag(file, "0008,0018"),
        d.transferSyntax(), d.bytes());
  }

  @Test
  void anInstanceIsStoredDurablyAndTheStudyBuiltFromItsRows() throws Exception {
    String accession = "ACC" + System.nanoTime() % 1_000_000_000L;
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp, "(0008,0050)=" + accession,
        "(0010,0020)=" + unique("MRN").substring(0, 20));
    String sop = TestDicomFiles.tag(ct, "0008,0018");
    String studyUid = TestDicomFiles.tag(ct, "0020,000d");
    StoreStatus status = store(ct);
    assertThat(status.code()).isEqualTo(StoreStatus.SUCCESS);
    assertThat(status.duplicate()).isFalse();
    String path = jdbc.queryForObject("SELECT file_path FROM dicom_instance WHERE sop_instance_uid = ?", String.class, sop);
    // the stored file is a valid Part 10 file with the same data set: DCMTK reads it back
    assertThat(TestDicomFiles.tag(Path.of(path), "0008,0018")).isEqualTo(sop);
    assertThat(TestDicomFiles.tag(Path.of(path), "0002,0010")).isEqualTo(TestDicomFiles.tag(ct, "0002,0010"));
    assertThat(TestDicomFiles.dataset(Path.of(path)).bytes()).isEqualTo(TestDicomFiles.dataset(ct).bytes());

    String id = studies.sync(studyUid);
    json().get("/ImagingStudy/" + id).then().statusCode(200)
        .body("identifier[0].value", equalTo("urn:oid:" + studyUid))
        .body("identifier[1].value", equalTo(accession))
        .body("identifier[1].system", equalTo("https://radbridge.org/fhir/sid/centre-a/accession"))
        .body("modality[0].code", equalTo("CT"))
        .body("numberOfSeries", equalTo(1)).body("numberOfInstances", equalTo(1))
        .body("series[0].instance[0].uid", equalTo(sop))
        .body("subject.reference", org.hamcrest.Matchers.startsWith("Patient/"));
    json().queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy").then()
        .body("entry.size()", equalTo(1));

    // the same instance again: success, nothing changes
    StoreStatus again = store(ct);
    assertThat(again.isSuccess()).isTrue();
    assertThat(again.duplicate()).isTrue();
    assertThat(studies.sync(studyUid)).isEqualTo(id);
    json().get("/ImagingStudy/" + id).then().body("numberOfInstances", equalTo(1)).body("meta.versionId", equalTo("1"));
  }

  @Test
  void twoSeriesSentSeparatelyMakeOneStudyWithExactCounts() throws Exception {
    Path a = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    String studyUid = TestDicomFiles.tag(a, "0020,000d");
    Path b = TestDicomFiles.copyWithNewUids("MR_small.dcm", tmp, "(0020,000d)=" + studyUid);
    assertThat(store(a).isSuccess()).isTrue();
    String id = studies.sync(studyUid);
    assertThat(store(b).isSuccess()).isTrue();
    assertThat(studies.sync(studyUid)).isEqualTo(id);
    json().get("/ImagingStudy/" + id).then().body("numberOfSeries", equalTo(2)).body("numberOfInstances", equalTo(2))
        .body("modality.code", org.hamcrest.Matchers.containsInAnyOrder("CT", "MR"));
  }

  @Test
  void failuresAnswerTheRightStatusAndLeaveNoTrace() throws Exception {
    Path ct = TestDicomFiles.copyWithNewUids("CT_small.dcm", tmp);
    TestDicomFiles.Dataset d = TestDicomFiles.dataset(ct);
    String sopClass = TestDicomFiles.tag(ct, "0008,0016");
    String sop = TestDicomFiles.tag(ct, "0008,0018");

    StoreStatus wrongInstance = storage.store("CT_A", "centre-a", sopClass, sop + ".9", d.transferSyntax(), d.bytes());
    assertThat(wrongInstance.code()).isEqualTo(StoreStatus.DATASET_MISMATCH);
    StoreStatus wrongClass = storage.store("CT_A", "centre-a", "1.2.840.10008.5.1.4.1.1.4", sop, d.transferSyntax(), d.bytes());
    assertThat(wrongClass.code()).isEqualTo(StoreStatus.DATASET_MISMATCH);
    byte[] garbage = new byte[] {8, 0, 0x18, 0, 'U', 'I', (byte) 0xff, 0x7f, 1, 2, 3};
    assertThat(storage.store("CT_A", "centre-a", sopClass, sop, d.transferSyntax(), garbage).code())
        .isEqualTo(StoreStatus.CANNOT_UNDERSTAND);

    // below the free-space floor: FullDiskTest (a node of its own with a floor no disk meets)
    assertThat(count("SELECT count(*) FROM dicom_instance WHERE sop_instance_uid = ?", sop)).isZero();
    assertThat(Files.exists(storage.files().pathOf(TestDicomFiles.tag(ct, "0020,000d"), TestDicomFiles.tag(ct, "0020,000e"),
        sop))).isFalse();
  }
}
