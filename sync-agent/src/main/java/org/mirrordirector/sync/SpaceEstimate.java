package org.mirrordirector.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.mirrordirector.sync.archive.ClearSignedMessage;
import org.mirrordirector.sync.archive.Compression;
import org.mirrordirector.sync.archive.IndexEntry;
import org.mirrordirector.sync.archive.IndexParsers;
import org.mirrordirector.sync.archive.PoolFile;
import org.mirrordirector.sync.archive.ReleaseFile;
import org.mirrordirector.sync.archive.ReleaseParser;

/**
 * How many bytes a sync will add: the pool files that the new indexes list and the current snapshot
 * lacks (or has at another size). Read from the new {@code dists/} before any pool file is copied,
 * so that a run that would fill the disk is refused before it starts. The indexes are not verified
 * here (that comes after the copy); a forged index can only make the estimate wrong, and each index
 * is read no further than its listed size.
 */
final class SpaceEstimate {
  private static final int MAX_RELEASE = 64 << 20;
  private static final List<Compression> PREFERRED =
      List.of(Compression.NONE, Compression.GZIP, Compression.XZ, Compression.BZIP2);

  /** The estimate: new pool bytes and files, and the indexes it was read from. */
  record Result(long bytes, int files, int indexesRead) {}

  private SpaceEstimate() {}

  static Result of(Path tree, Optional<Path> current, List<String> suites) throws IOException {
    Set<String> counted = new HashSet<>();
    long[] bytes = {0};
    int[] files = {0};
    int indexes = 0;
    BiConsumer<String, Long> need =
        (path, size) -> {
          if (!counted.add(path)) {
            return;
          }
          if (current.isPresent()) {
            try {
              if (Files.size(current.get().resolve(path)) == size) {
                return;
              }
            } catch (IOException absent) {
              // not in the current snapshot: it will be copied
            }
          }
          bytes[0] += size;
          files[0]++;
        };
    for (String suite : suites) {
      Path dir = tree.resolve("dists").resolve(suite);
      Optional<ReleaseFile> release = release(dir);
      if (release.isEmpty()) {
        continue;
      }
      for (Map.Entry<String, IndexEntry> e : release.get().sha256().entrySet()) {
        String path = e.getKey();
        if (Compression.of(path) != Compression.NONE) {
          continue;
        }
        boolean packages = path.endsWith("/Packages");
        boolean sources = path.endsWith("/Sources");
        if (!packages && !sources) {
          continue;
        }
        for (Compression c : PREFERRED) {
          Path f = dir.resolve(path + c.suffix());
          if (!Files.isRegularFile(f)) {
            continue;
          }
          try (InputStream raw = Files.newInputStream(f);
              InputStream in = c.decompress(raw, f.toString(), e.getValue().size())) {
            if (packages) {
              IndexParsers.packages(
                  in, f.toString(), p -> need.accept(p.filename(), p.size()), bad -> {});
            } else {
              IndexParsers.sources(
                  in,
                  f.toString(),
                  s -> {
                    for (PoolFile pf : s.files()) {
                      need.accept(pf.path(), pf.size());
                    }
                  },
                  bad -> {});
            }
            indexes++;
          } catch (IOException unreadable) {
            // the verifier will name it; another variant may still tell the sizes
            continue;
          }
          break;
        }
      }
    }
    return new Result(bytes[0], files[0], indexes);
  }

  private static Optional<ReleaseFile> release(Path dir) throws IOException {
    try {
      Path in = dir.resolve("InRelease");
      if (Files.isRegularFile(in) && Files.size(in) <= MAX_RELEASE) {
        byte[] text = ClearSignedMessage.parse(Files.readAllBytes(in), in.toString()).signedText();
        return Optional.of(ReleaseParser.parse(text, in.toString()));
      }
      Path r = dir.resolve("Release");
      if (Files.isRegularFile(r) && Files.size(r) <= MAX_RELEASE) {
        return Optional.of(ReleaseParser.parse(Files.readAllBytes(r), r.toString()));
      }
    } catch (NoSuchFileException | org.mirrordirector.sync.archive.ArchiveFormatException e) {
      // the verifier reports it
    }
    return Optional.empty();
  }
}
