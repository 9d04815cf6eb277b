package org.radbridge.server.dicom;

import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Instance files under {@code <data-dir>/dicom/<study>/<series>/<sop>.dcm}, written as received
 * (no transcoding): a Part 10 file meta header in front of the data set bytes. Atomic and durable:
 * temp file, fsync, rename, fsync of the directory, so a file is either whole or absent.
 */
public class InstanceFiles {
  private final Path root;

  public InstanceFiles(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path pathOf(String study, String series, String sop) {
    return root.resolve(safe(study)).resolve(safe(series)).resolve(safe(sop) + ".dcm");
  }

  /** A new temp file for an incoming instance, on the same file system as the targets (rename stays atomic). */
  public Path newTemp() throws IOException {
    Files.createDirectories(incoming());
    return Files.createTempFile(incoming(), "in-", ".part");
  }

  /** The Part 10 preamble and file meta header that go in front of the data set bytes as received. */
  public static byte[] metaHeader(String sopClass, String sopInstance, String transferSyntax, String sourceAe)
      throws IOException, DicomException {
    ByteArrayOutputStream header = new ByteArrayOutputStream(512);
    DicomOutputStream dos = new DicomOutputStream(header, TransferSyntax.ExplicitVRLittleEndian, null);
    new FileMetaInformation(sopClass, sopInstance, transferSyntax, sourceAe).getAttributeList().write(dos);
    dos.flush();
    return header.toByteArray();
  }

  /** Writes a whole Part 10 file to a temp file (tests, and callers holding the data set in memory). */
  public Path writeTemp(String sopClass, String sopInstance, String transferSyntax, String sourceAe, byte[] dataset)
      throws IOException, DicomException {
    Path tmp = newTemp();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(metaHeader(sopClass, sopInstance, transferSyntax, sourceAe)));
      ch.write(ByteBuffer.wrap(dataset));
    }
    return tmp;
  }

  /** Makes a complete temp file the instance's file: fsync, rename into place, fsync the directory. Returns its size. */
  public long commit(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.createDirectories(target.getParent());
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    return Files.size(target);
  }

  /** Only a UID {@link DicomUids} finds safe becomes a name: nothing else reaches a path. */
  private static String safe(String uid) {
    if (DicomUids.problem(uid) != null) {
      throw new IllegalArgumentException("not a DICOM UID that can name a file");
    }
    return uid;
  }

  /**
   * Removes the temp files of instances that were being received when the server stopped (their
   * associations ended with it); returns how many. Only at start: no association is open yet.
   */
  public int clearIncoming() throws IOException {
    Path incoming = root.resolve("incoming");
    if (!Files.isDirectory(incoming)) {
      return 0;
    }
    int n = 0;
    try (java.util.stream.Stream<Path> files = Files.list(incoming)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(".part") && Files.deleteIfExists(p)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Where incoming instances are written until they are whole. */
  public Path incoming() {
    return root.resolve("incoming");
  }
}
