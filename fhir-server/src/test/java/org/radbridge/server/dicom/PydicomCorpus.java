package org.radbridge.server.dicom;

import com.pixelmed.dicom.SOPClass;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every file of Debian's python3-pydicom test set (recursively) sorted into those storescu can
 * send and those it cannot, each sendable one copied with fresh UIDs, and what every study must
 * become, read from the copies with dcmdump.
 *
 * <p>The rule, checked in this order, with dcmdump and dcmodify of the DCMTK that sends:
 * <ol>
 *   <li>{@code dcmdump +fo} reads the whole file: a Part 10 file with a File Meta header (storescu
 *       needs it to know the transfer syntax) whose data set parses to its end;</li>
 *   <li>the data set has a SOP Class UID, SOP Instance UID, Study and Series Instance UID as UI
 *       values (storescu reads the first two to build the C-STORE; values stored as UN are not);</li>
 *   <li>the SOP class is a Storage SOP Class (C-STORE exists for it);</li>
 *   <li>storescu can propose its transfer syntax: any uncompressed one (storescu converts it to
 *       what was accepted), or a compressed or deflated one that one of its {@code -x} options
 *       proposes ({@link #STORESCU_OPTION}; storescu cannot decompress);</li>
 *   <li>{@code dcmodify} can give it fresh UIDs.</li>
 * </ol>
 * The original study and series grouping is kept (one fresh UID per original UID), so the
 * eight encodings of MR_small are one series of eight instances; every file gets its own SOP
 * Instance UID. Few processes: one dcmdump for the set, one dcmodify per series, one dcmdump of
 * the copies (what is sent is read from them).
 */
final class PydicomCorpus {
  static final String DEFLATED = "1.2.840.10008.1.2.1.99";
  private static final Set<String> UNCOMPRESSED = Set.of("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2");
  /** The storescu option that proposes a compressed or deflated transfer syntax (DCMTK 3.6.7). */
  static final Map<String, String> STORESCU_OPTION = Map.of(
      "1.2.840.10008.1.2.4.50", "-xy", // JPEG baseline (8 bit)
      "1.2.840.10008.1.2.4.51", "-xx", // JPEG extended (12 bit)
      "1.2.840.10008.1.2.4.70", "-xs", // JPEG lossless, first-order prediction
      "1.2.840.10008.1.2.4.80", "-xt", // JPEG-LS lossless
      "1.2.840.10008.1.2.4.81", "-xu", // JPEG-LS near-lossless
      "1.2.840.10008.1.2.4.90", "-xv", // JPEG 2000 lossless
      "1.2.840.10008.1.2.4.91", "-xw", // JPEG 2000
      "1.2.840.10008.1.2.5", "-xr", // RLE lossless
      DEFLATED, "-xd");
  private static final Pattern ELEMENT = Pattern.compile("^\\(([0-9a-f]{4},[0-9a-f]{4})\\) ([A-Z][A-Z]) (.*?)\\s+#.*$");

  /** A file as sent: its copy with fresh UIDs and what it says. */
  record Sendable(String name, Path copy, String sopClass, String transferSyntax, String studyUid, String seriesUid,
      String sopUid, String modality) {
    /** The storescu option proposing its transfer syntax ({@code -x=}: uncompressed, explicit VR preferred). */
    String storescuOption() {
      return STORESCU_OPTION.getOrDefault(transferSyntax, "-x=");
    }
  }

  /** What one series must look like in its ImagingStudy. */
  record Series(String modality, Set<String> sopUids) {}

  private final List<Sendable> sendable = new ArrayList<>();
  private final Map<String, String> excluded = new TreeMap<>();

  private PydicomCorpus() {}

  static PydicomCorpus prepare(Path root, Path workDir) throws IOException, InterruptedException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    List<Dump> dumps = Dump.ofAll(files, workDir);
    PydicomCorpus corpus = new PydicomCorpus();
    // per original series: its files' copies, to be given the study's and the series' fresh UIDs
    Map<String, List<Path>> bySeries = new LinkedHashMap<>();
    Map<String, String> freshUids = new HashMap<>();
    Map<Path, String> names = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      String name = root.relativize(files.get(i)).toString();
      Dump dump = dumps.get(i);
      String reason = exclusion(dump);
      if (reason != null) {
        corpus.excluded.put(name, reason);
        continue;
      }
      String study = freshUids.computeIfAbsent(dump.value("0020,000d"), k -> freshUid());
      String series = freshUids.computeIfAbsent(dump.value("0020,000d") + "|" + dump.value("0020,000e"), k -> freshUid());
      Path copy = workDir.resolve(String.format("%03d-%s", i, files.get(i).getFileName()));
      Files.copy(files.get(i), copy);
      names.put(copy, name);
      bySeries.computeIfAbsent(study + "|" + series, k -> new ArrayList<>()).add(copy);
    }
    Set<Path> modified = new LinkedHashSet<>();
    for (Map.Entry<String, List<Path>> e : bySeries.entrySet()) {
      String[] uids = e.getKey().split("\\|");
      // one dcmodify per series; -gin: a new SOP Instance UID for each file
      List<String> cmd = new ArrayList<>(List.of("dcmodify", "-nb", "-gin", "-i", "(0020,000d)=" + uids[0], "-i",
          "(0020,000e)=" + uids[1]));
      e.getValue().forEach(p -> cmd.add(p.toString()));
      if (Run.of(cmd.toArray(String[]::new)).exit() == 0) {
        modified.addAll(e.getValue());
        continue;
      }
      for (Path copy : e.getValue()) { // which file it was
        cmd.subList(6, cmd.size()).clear();
        cmd.add(copy.toString());
        Run one = Run.of(cmd.toArray(String[]::new));
        if (one.exit() == 0) {
          modified.add(copy);
        } else {
          corpus.excluded.put(names.get(copy), "dcmodify cannot give it fresh UIDs: " + one.firstProblem());
        }
      }
    }
    List<Path> copies = List.copyOf(modified);
    List<Dump> sent = Dump.ofAll(copies, workDir);
    for (int i = 0; i < copies.size(); i++) {
      Dump d = sent.get(i);
      if (d.problem() != null) {
        throw new IllegalStateException(names.get(copies.get(i)) + " unreadable after dcmodify: " + d.problem());
      }
      corpus.sendable.add(new Sendable(names.get(copies.get(i)), copies.get(i), d.value("0008,0016"),
          d.value("0002,0010"), d.value("0020,000d"), d.value("0020,000e"), d.value("0008,0018"), d.value("0008,0060")));
    }
    return corpus;
  }

  /** Why storescu cannot send the file, or null when it can (steps 1 to 4 of the rule). */
  private static String exclusion(Dump dump) {
    if (dump.problem() != null) {
      return "dcmdump +fo cannot read it as a Part 10 file: " + dump.problem();
    }
    for (String tag : List.of("0008,0016", "0008,0018", "0020,000d", "0020,000e")) {
      if (dump.value(tag) == null) {
        return dump.vr(tag) == null ? "no (" + tag + ") in the data set"
            : "(" + tag + ") has VR " + dump.vr(tag) + ", not UI: storescu finds no SOP class/instance";
      }
    }
    if (!SOPClass.isStorage(dump.value("0008,0016"))) {
      return "SOP class " + dump.value("0008,0016") + " is not a Storage SOP Class";
    }
    String ts = dump.value("0002,0010");
    if (!UNCOMPRESSED.contains(ts) && !STORESCU_OPTION.containsKey(ts)) {
      return "no storescu option proposes its transfer syntax " + ts;
    }
    return null;
  }

  List<Sendable> sendable() {
    return sendable;
  }

  /** File (relative to the set) → why it is not sent. */
  Map<String, String> excluded() {
    return excluded;
  }

  /** Study Instance UID → Series Instance UID → what the series holds, from the sendable files. */
  Map<String, Map<String, Series>> expectedStudies() {
    Map<String, Map<String, List<Sendable>>> grouped = new LinkedHashMap<>();
    for (Sendable s : sendable) {
      grouped.computeIfAbsent(s.studyUid(), k -> new LinkedHashMap<>())
          .computeIfAbsent(s.seriesUid(), k -> new ArrayList<>()).add(s);
    }
    Map<String, Map<String, Series>> out = new LinkedHashMap<>();
    grouped.forEach((study, series) -> {
      Map<String, Series> bySeries = new LinkedHashMap<>();
      series.forEach((uid, members) -> bySeries.put(uid, series(members)));
      out.put(study, bySeries);
    });
    return out;
  }

  /**
   * A series' modality as its files state it. The set's files without a Modality are Secondary
   * Captures, whose modality DICOM leaves open: RadBridge makes that OT ("Other").
   */
  private static Series series(List<Sendable> members) {
    Set<String> stated = new LinkedHashSet<>();
    Set<String> sops = new LinkedHashSet<>();
    for (Sendable m : members) {
      sops.add(m.sopUid());
      if (m.modality() != null) {
        stated.add(m.modality());
      } else if (!m.sopClass().startsWith("1.2.840.10008.5.1.4.1.1.7")) {
        throw new IllegalStateException(m.name() + " has no Modality and is not a Secondary Capture: which"
            + " modality its SOP class fixes must be added here");
      }
    }
    if (stated.size() > 1) {
      throw new IllegalStateException("files of one series state modalities " + stated);
    }
    return new Series(stated.isEmpty() ? "OT" : stated.iterator().next(), sops);
  }

  private static String freshUid() {
    UUID u = UUID.randomUUID();
    byte[] bytes = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    return "2.25." + new BigInteger(1, bytes);
  }

  /** A finished DCMTK command: exit code and output. */
  record Run(int exit, String output) {
    static Run of(String... cmd) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("TCP_NODELAY", "1"); // DCMTK 3.6.7 leaves Nagle on otherwise (~40 ms an instance)
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Run(p.waitFor(), out);
    }

    /** The last error line (DCMTK names the cause last), else the first line. */
    String firstProblem() {
      List<String> errors = output.lines().filter(l -> l.startsWith("E:") || l.startsWith("F:")).toList();
      String line = errors.isEmpty() ? output.lines().findFirst().orElse("") : errors.get(errors.size() - 1);
      return line.replaceFirst("^[EF]: (dcmdump: |dcmodify: )?", "").trim();
    }
  }

  /**
   * The top-level elements of a file as {@code dcmdump +fo -M -Un} prints them (meta header
   * included), and why dcmdump could not read it (null when it could).
   */
  record Dump(String problem, Map<String, String[]> elements) {
    private static final Pattern FILE_HEADER = Pattern.compile("^# dcmdump \\((\\d+)/\\d+\\): .*$");
    private static final Pattern FILE_ERROR = Pattern.compile("^E: dcmdump: (.*): reading file: (.*)$");

    /** All files in one dcmdump run ({@code +F} heads each file's dump; errors name the file). */
    static List<Dump> ofAll(List<Path> files, Path workDir) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("dcmdump", "+F", "+fo", "-M", "-Un"));
      files.forEach(f -> cmd.add(f.toString()));
      Path errors = Files.createTempFile(workDir, "dcmdump", ".err");
      Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      Map<String, String> problems = new HashMap<>();
      for (String line : Files.readAllLines(errors)) {
        Matcher m = FILE_ERROR.matcher(line);
        if (m.matches()) {
          problems.put(m.group(2), m.group(1));
        }
      }
      List<Map<String, String[]>> elements = new ArrayList<>();
      files.forEach(f -> elements.add(new LinkedHashMap<>()));
      Map<String, String[]> current = files.size() == 1 ? elements.get(0) : null;
      for (String line : out.lines().toList()) {
        Matcher header = FILE_HEADER.matcher(line);
        if (header.matches()) {
          current = elements.get(Integer.parseInt(header.group(1)) - 1);
          continue;
        }
        Matcher m = ELEMENT.matcher(line); // nested items are indented, so only the top level matches
        if (m.matches() && current != null) {
          String raw = m.group(3);
          String value = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1).trim() : null;
          current.putIfAbsent(m.group(1), new String[] {m.group(2), value == null || value.isEmpty() ? null : value});
        }
      }
      List<Dump> dumps = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        dumps.add(new Dump(problems.get(files.get(i).toString()), elements.get(i)));
      }
      return dumps;
    }

    String vr(String tag) {
      String[] e = elements.get(tag);
      return e == null ? null : e[0];
    }

    /** The value of a text element (not UN, OB, ...), null when absent or empty. */
    String value(String tag) {
      String[] e = elements.get(tag);
      return e == null || "UN".equals(e[0]) ? null : e[1];
    }
  }
}
