package org.radbridge.server.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real DICOM test files (Debian's python3-pydicom) given fresh UIDs with DCMTK's dcmodify, so each
 * test has its own study; and the pieces of a Part 10 file a C-STORE would carry.
 */
public final class TestDicomFiles {
  static final Path PYDICOM = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

  private TestDicomFiles() {}

  /** A copy of a pydicom test file with new study, series and instance UIDs and the given tags set. */
  public static Path copyWithNewUids(String name, Path dir, String... modifications) throws IOException, InterruptedException {
    Path copy = dir.resolve(System.nanoTime() + "-" + name);
    Files.copy(PYDICOM.resolve(name), copy);
    List<String> cmd = new ArrayList<>(List.of("dcmodify", "-nb", "-gst", "-gse", "-gin"));
    for (String m : modifications) {
      cmd.add("-i");
      cmd.add(m);
    }
    cmd.add(copy.toString());
    run(cmd);
    return copy;
  }

  public static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** The value of a tag as dcmdump prints it, or null. */
  public static String tag(Path file, String tag) throws IOException, InterruptedException {
    String out = run(List.of("dcmdump", "-Un", "+P", tag, file.toString()));
    int a = out.indexOf('[');
    int b = out.indexOf(']', a + 1);
    return a < 0 || b < 0 ? null : out.substring(a + 1, b);
  }

  /** The SOP Instance UIDs of the files a storescp wrote into {@code dir}, one per file. */
  public static List<String> receivedSops(Path dir) {
    List<String> sops = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        sops.add(tag(f, "0008,0018"));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return sops;
  }

  /** A Part 10 file split into its transfer syntax and the data set bytes after the meta header. */
  record Dataset(String transferSyntax, byte[] bytes) {}

  static Dataset dataset(Path part10) throws IOException, InterruptedException {
    byte[] all = Files.readAllBytes(part10);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    // 128-byte preamble, "DICM", then (0002,0000) UL 4 <group length>
    int groupLength = b.getInt(132 + 8);
    int start = 132 + 12 + groupLength;
    byte[] data = new byte[all.length - start];
    System.arraycopy(all, start, data, 0, data.length);
    return new Dataset(tag(part10, "0002,0010"), data);
  }
}
