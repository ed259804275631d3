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

  /**
   * {@code data} as {@code xz -6} compresses it: the indexes, as the archive software makes them.
   */
  static byte[] xz(byte[] data) throws IOException {
    return xz(data, 6);
  }

  /**
   * {@code data} compressed with xz's {@code preset}, with a dictionary no larger than the data:
   * preset 6's 8 MiB dictionary and match finder (about 94 MiB of arrays) were allocated and zeroed
   * for every small file, most of a generation's time, and a dictionary larger than the data
   * compresses it no better.
   */
  static byte[] xz(byte[] data, int preset) throws IOException {
    LZMA2Options o = new LZMA2Options(preset);
    o.setDictSize(dictionaryFor(data.length, o.getDictSize()));
    ByteArrayOutputStream bos = new ByteArrayOutputStream(data.length / 4 + 64);
    try (XZOutputStream xz = new XZOutputStream(bos, o)) {
      xz.write(data);
    }
    return bos.toByteArray();
  }

  /**
   * The smallest dictionary that holds {@code length} bytes, within xz's bounds and {@code max}.
   */
  static int dictionaryFor(int length, int max) {
    int size = LZMA2Options.DICT_SIZE_MIN;
    while (size < length && size < max) {
      size <<= 1;
    }
    return Math.min(size, max);
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
