package org.mirrordirector.sync.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** An archive tree in a local directory (a snapshot, or a tree to check before publishing it). */
public final class LocalArchiveSource implements ArchiveSource {
  private final Path root;

  public LocalArchiveSource(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path resolve(String path) {
    Path p = root.resolve(path).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("path escapes the archive: " + path);
    }
    return p;
  }

  @Override
  public String describe(String path) {
    return resolve(path).toString();
  }

  @Override
  public Optional<FileStat> stat(String path) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(resolve(path), BasicFileAttributes.class);
      return Optional.of(
          new FileStat(
              a.size(),
              a.isRegularFile(),
              a.fileKey(),
              a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public InputStream open(String path) throws IOException {
    return Files.newInputStream(resolve(path));
  }

  @Override
  public boolean isLocal() {
    return true;
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
