package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * ftpsync's lock: {@code Archive-Update-in-Progress-<host>} holding the PID of the process that
 * syncs. A lock whose PID is no longer alive is stale and taken over.
 */
final class LockFile implements AutoCloseable {
  private final Path path;

  private LockFile(Path path) {
    this.path = path;
  }

  /** Takes the lock, or returns empty when a live process holds it. */
  static Optional<LockFile> acquire(Path path) throws IOException {
    byte[] me = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        Files.write(
            path,
            me,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return Optional.of(new LockFile(path));
      } catch (FileAlreadyExistsException held) {
        Optional<Long> pid = holder(path);
        if (pid.isPresent()
            && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
          return Optional.empty();
        }
        // Stale: its process is gone (or it holds no PID at all). Remove and try again.
        Files.deleteIfExists(path);
      }
    }
    return Optional.empty();
  }

  /** The PID written in a lock file, if it holds one. */
  static Optional<Long> holder(Path path) throws IOException {
    try {
      String s = Files.readString(path, StandardCharsets.US_ASCII).trim();
      return s.matches("\\d{1,10}") ? Optional.of(Long.parseLong(s)) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(path);
  }
}
