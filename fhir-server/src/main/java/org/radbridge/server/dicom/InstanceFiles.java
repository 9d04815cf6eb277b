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

  /** Writes the file and returns its size. */
  public long write(Path target, String sopClass, String sopInstance, String transferSyntax, String sourceAe,
      byte[] dataset) throws IOException, DicomException {
    Files.createDirectories(target.getParent());
    ByteArrayOutputStream header = new ByteArrayOutputStream(512);
    DicomOutputStream dos = new DicomOutputStream(header, TransferSyntax.ExplicitVRLittleEndian, null);
    new FileMetaInformation(sopClass, sopInstance, transferSyntax, sourceAe).getAttributeList().write(dos);
    dos.flush();
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + Thread.currentThread().getId());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(header.toByteArray()));
      ch.write(ByteBuffer.wrap(dataset));
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    return Files.size(target);
  }

  /** UIDs are digits and dots; anything else is refused before it reaches a path. */
  private static String safe(String uid) {
    if (uid == null || !uid.matches("[0-9.]{1,64}")) {
      throw new IllegalArgumentException("not a DICOM UID: " + uid);
    }
    return uid;
  }
}
