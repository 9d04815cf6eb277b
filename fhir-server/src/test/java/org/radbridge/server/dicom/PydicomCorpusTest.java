package org.radbridge.server.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.radbridge.server.Await;
import org.radbridge.server.TestServers;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every file of Debian's python3-pydicom test set that storescu can send ({@link PydicomCorpus}
 * for the rule), each with fresh UIDs, over one association per transfer syntax option, becomes a findable ImagingStudy
 * with the series, instances and modalities the files hold, and validated against
 * rb-imaging-study, which it claims. Its own node (validation enforced, unknown peers accepted,
 * no network, so nothing is forwarded and no other test's study is counted).
 */
class PydicomCorpusTest {
  /** What the rule leaves out of the set, and why; a change of the Debian package shows here. */
  private static final Map<String, String> EXCLUDED = new TreeMap<>(Map.ofEntries(
      Map.entry("ExplVR_BigEndNoMeta.dcm", "File meta information header missing"),
      Map.entry("ExplVR_LitEndNoMeta.dcm", "File meta information header missing"),
      Map.entry("MR_truncated.dcm", "premature end of stream"), // pixel data cut short
      Map.entry("README.txt", "File meta information header missing"),
      Map.entry("SC_rgb_jpeg.dcm", "premature end of stream"), // broken element (4544,4952) after (0008,0008)
      Map.entry("UN_sequence.dcm", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR", "no (0008,0016)"), // Media Storage Directory: not C-STORE-able
      Map.entry("dicomdirtests/DICOMDIR-bigEnd", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR-empty.dcm", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR-implicit", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR-nooffset", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR-nopatient", "no (0008,0016)"),
      Map.entry("dicomdirtests/DICOMDIR-reordered", "no (0008,0016)"),
      Map.entry("dicomdirtests/README.txt", "File meta information header missing"),
      Map.entry("dicomdirtests/TINY_ALPHA/DICOMDIR", "no (0008,0016)"),
      Map.entry("dicomdirtests/TINY_ALPHA/README", "File meta information header missing"),
      Map.entry("empty_charset_LEI.dcm", "no (0008,0016)"), // a few elements, no SOP class
      Map.entry("meta_missing_tsyntax.dcm", "File meta information header missing"),
      Map.entry("nested_priv_SQ.dcm", "no (0008,0016)"),
      Map.entry("no_meta.dcm", "File meta information header missing"),
      Map.entry("no_meta_group_length.dcm", "no (0008,0016)"),
      Map.entry("priv_SQ.dcm", "no (0008,0016)"),
      Map.entry("rtdose_rle.dcm", "(0008,0016) has VR UN"), // the whole data set in explicit VR UN
      Map.entry("rtdose_rle_1frame.dcm", "(0008,0016) has VR UN"),
      Map.entry("rtplan.dump", "File meta information header missing"), // dcmdump text
      Map.entry("rtplan_truncated.dcm", "Invalid stream"),
      Map.entry("rtstruct.dcm", "File meta information header missing"),
      Map.entry("rtstruct.dump", "File meta information header missing"),
      Map.entry("test1.json", "File meta information header missing"),
      Map.entry("test_PN.json", "File meta information header missing"),
      Map.entry("zipMR.gz", "File meta information header missing")));

  @TempDir
  Path dir;

  @Test
  void everyFileStorescuCanSendBecomesAFindableImagingStudyWithTheFilesCountsAndModalities() throws Exception {
    long start = System.nanoTime();
    try (ConfigurableApplicationContext node = TestServers.onDataDir(dir.resolve("data"))
        .with("radbridge.dicom.accept-unknown-peers", true).start()) {
      long started = System.nanoTime();
      // prepared while the node warms its validator up in the background
      Files.createDirectories(dir.resolve("copies"));
      PydicomCorpus corpus = PydicomCorpus.prepare(TestDicomFiles.PYDICOM, dir.resolve("copies"));
      assertThat(corpus.excluded().keySet()).as("excluded files: %s", corpus.excluded()).isEqualTo(EXCLUDED.keySet());
      EXCLUDED.forEach((file, why) -> assertThat(corpus.excluded().get(file)).as(file).contains(why));
      Map<String, Map<String, PydicomCorpus.Series>> expected = corpus.expectedStudies();
      assertThat(corpus.sendable()).hasSizeGreaterThan(120); // the 165 files less the 31 above
      long prepared = System.nanoTime();
      int dicomPort = node.getBean(DicomListener.class).port();
      int httpPort = ((WebServerApplicationContext) node).getWebServer().getPort();
      // one association per storescu option, all at once: a study's encodings (MR_small: explicit, implicit,
      // big endian, RLE, JPEG-LS, JPEG 2000) arrive over several concurrent associations
      Map<String, List<String>> byOption = new TreeMap<>();
      corpus.sendable().forEach(s -> byOption.computeIfAbsent(s.storescuOption(), k -> new ArrayList<>())
          .add(s.copy().toString()));
      List<CompletableFuture<PydicomCorpus.Run>> runs = new ArrayList<>();
      byOption.forEach((option, files) -> runs.add(CompletableFuture.supplyAsync(() -> storescu(dicomPort, option, files))));
      StringBuilder sent = new StringBuilder();
      for (CompletableFuture<PydicomCorpus.Run> run : runs) {
        assertThat(run.get().exit()).as(run.get().output()).isZero();
        sent.append(run.get().output());
      }
      assertThat(sent.toString()).as(sent.toString()).doesNotContain("Store Failed");

      long sentAt = System.nanoTime();
      JdbcTemplate jdbc = node.getBean(JdbcTemplate.class);
      Map<String, JsonPath> found = new HashMap<>();
      try {
        Await.until(expected.size() + " studies each with all of their instances in its ImagingStudy",
            Duration.ofSeconds(90), () -> expected.entrySet().stream().allMatch(e -> {
              if (!complete(found.get(e.getKey()), e.getValue())) {
                found.put(e.getKey(), search(httpPort, e.getKey()));
              }
              return complete(found.get(e.getKey()), e.getValue());
            }));
      } catch (AssertionError notYet) {
        List<String> incomplete = expected.entrySet().stream().filter(e -> !complete(found.get(e.getKey()), e.getValue()))
            .map(e -> filesOf(corpus, e.getKey()).toString()).toList();
        throw new AssertionError(notYet.getMessage() + "; incomplete: " + incomplete + "\n" + sent, notYet);
      }

      System.out.printf("PydicomCorpusTest: node started %d ms, files prepared %d ms, sent %d ms, studies complete %d ms%n",
          ms(started - start), ms(prepared - started), ms(sentAt - prepared), ms(System.nanoTime() - sentAt));
      for (Map.Entry<String, Map<String, PydicomCorpus.Series>> e : expected.entrySet()) {
        String studyUid = e.getKey();
        JsonPath study = found.get(studyUid);
        String as = "study " + studyUid + " of " + filesOf(corpus, studyUid);
        assertThat(study.getInt("entry[0].resource.numberOfSeries")).as(as).isEqualTo(e.getValue().size());
        assertThat(study.getInt("entry[0].resource.numberOfInstances")).as(as).isEqualTo(instances(e.getValue()));
        assertThat(study.getList("entry[0].resource.meta.profile", String.class)).as(as)
            .contains("https://radbridge.org/fhir/StructureDefinition/rb-imaging-study");
        assertThat(study.getString("entry[0].resource.subject.reference")).as(as).startsWith("Patient/");
        assertThat(count(jdbc, "SELECT count(*) FROM dicom_instance WHERE study_instance_uid = ?", studyUid)).as(as)
            .isEqualTo(instances(e.getValue()));
        for (Map.Entry<String, PydicomCorpus.Series> s : e.getValue().entrySet()) {
          String path = "entry[0].resource.series.find { it.uid == '" + s.getKey() + "' }";
          assertThat(study.getString(path + ".modality.code")).as(as + " series " + s.getKey())
              .isEqualTo(s.getValue().modality());
          assertThat(study.getInt(path + ".numberOfInstances")).as(as).isEqualTo(s.getValue().sopUids().size());
          assertThat(new LinkedHashSet<>(study.getList(path + ".instance.uid", String.class))).as(as)
              .isEqualTo(s.getValue().sopUids());
        }
        Set<String> modalities = new LinkedHashSet<>();
        e.getValue().values().forEach(s -> modalities.add(s.modality()));
        assertThat(study.getList("entry[0].resource.modality.code", String.class)).as(as)
            .containsExactlyInAnyOrderElementsOf(modalities);
      }
      // the deflated file arrived deflated and is kept as received
      String deflatedSop = corpus.sendable().stream().filter(s -> PydicomCorpus.DEFLATED.equals(s.transferSyntax()))
          .findFirst().orElseThrow().sopUid();
      assertThat(jdbc.queryForObject("SELECT transfer_syntax_uid FROM dicom_instance WHERE sop_instance_uid = ?",
          String.class, deflatedSop)).isEqualTo(PydicomCorpus.DEFLATED);
      System.out.printf("PydicomCorpusTest: %d files sent (%d studies), %d excluded, %d ms%n", corpus.sendable().size(),
          expected.size(), corpus.excluded().size(), ms(System.nanoTime() - start));
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** The search found the study once, with every instance the files hold. */
  private static boolean complete(JsonPath p, Map<String, PydicomCorpus.Series> series) {
    return p != null && p.getList("entry") != null && p.getList("entry").size() == 1
        && p.getInt("entry[0].resource.numberOfInstances") == instances(series);
  }

  private static int instances(Map<String, PydicomCorpus.Series> series) {
    return series.values().stream().mapToInt(s -> s.sopUids().size()).sum();
  }

  private static List<String> filesOf(PydicomCorpus corpus, String studyUid) {
    return corpus.sendable().stream().filter(s -> s.studyUid().equals(studyUid)).map(PydicomCorpus.Sendable::name).toList();
  }

  private static long count(JdbcTemplate jdbc, String sql, Object... args) {
    Long n = jdbc.queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }

  private static JsonPath search(int httpPort, String studyUid) {
    return RestAssured.given().port(httpPort).basePath("/fhir").accept("application/fhir+json")
        .queryParam("identifier", "urn:dicom:uid|urn:oid:" + studyUid).get("/ImagingStudy")
        .then().statusCode(200).extract().jsonPath();
  }

  /** storescu over one association: only the files' SOP classes (-R), a refusal does not stop the rest (-nh). */
  private static PydicomCorpus.Run storescu(int port, String transferSyntaxOption, List<String> files) {
    List<String> cmd = new ArrayList<>(List.of("storescu", "-v", "-R", "-nh", transferSyntaxOption, "-aet", "PYDICOM",
        "-aec", "RADBRIDGE", "127.0.0.1", String.valueOf(port)));
    cmd.addAll(files);
    try {
      return PydicomCorpus.Run.of(cmd.toArray(String[]::new));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
