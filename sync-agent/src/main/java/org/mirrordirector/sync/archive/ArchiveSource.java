package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where an archive tree is read from: a local directory or a mirror's HTTP base URL. Paths are
 * archive-relative ({@code dists/bookworm/InRelease}, {@code pool/main/h/hello/...}) and already
 * checked by {@link PoolPaths}.
 */
public interface ArchiveSource {

  /** The full location of a path, for messages: an absolute file name or a URL. */
  String describe(String path);

  /** The file's stat, or empty when it does not exist. */
  Optional<FileStat> stat(String path) throws IOException;

  /** Opens a file; {@link java.nio.file.NoSuchFileException} when it does not exist. */
  InputStream open(String path) throws IOException;

  /** True when the archive is on a local disk (hard-link identity and cheap stats are known). */
  boolean isLocal();

  /** Reads a small file whole, or returns empty when it does not exist. */
  default Optional<byte[]> readSmall(String path, int maxBytes) throws IOException {
    if (stat(path).isEmpty()) {
      return Optional.empty();
    }
    try (InputStream in = open(path)) {
      byte[] data = in.readNBytes(maxBytes + 1);
      if (data.length > maxBytes) {
        throw new ArchiveFormatException(
            describe(path), 0, "is larger than " + maxBytes + " bytes; no real one is");
      }
      return Optional.of(data);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    }
  }
}
