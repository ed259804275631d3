package org.mirrordirector.sync.archive.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Writing an archive's files: compressed, atomically, hard-linked where unchanged. */
final class ArchiveFiles {
  private ArchiveFiles() {}

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    GzipParameters p = new GzipParameters();
    p.setModificationTime(0);
    p.setCompressionLevel(9);
    try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bos, p)) {
      gz.write(data);
    }
    return bos.toByteArray();
  }

  static byte[] xz(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(bos, new LZMA2Options(6))) {
      xz.write(data);
    }
    return bos.toByteArray();
  }

  static void writeAtomically(Path file, byte[] data) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, data);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void link(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    try {
      Files.createLink(to, from);
    } catch (FileAlreadyExistsException e) {
      // already there: by-hash of an unchanged index
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
