package org.mirrordirector.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private SpaceEstimate() {}

  /**
   * @param current the current snapshot, whose files need no space
   * @param known what the current snapshot is verified to hold (path to size), from the run that
   *     published it; null when unknown (then each listed file is looked up on disk)
   */
  static PoolEstimate of(
      Path tree, Optional<Path> current, List<String> suites, Map<String, Long> known)
      throws IOException {
    Map<String, Long> listing = new HashMap<>();
    long[] bytes = {0};
    int[] files = {0};
    int indexes = 0;
    BiConsumer<String, Long> need =
        (path, size) -> {
          if (listing.putIfAbsent(path, size) != null) {
            return;
          }
          if (known != null) {
            if (size.equals(known.get(path))) {
              return;
            }
          } else if (current.isPresent()) {
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
          if (packages && c == Compression.NONE && Files.size(f) == e.getValue().size()) {
            // The plain index, mapped: no copy, no decompression.
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
              scanPackages(
                  ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size()), need);
            }
            indexes++;
            break;
          }
          try (InputStream raw = Files.newInputStream(f);
              InputStream in = c.decompress(raw, f.toString(), e.getValue().size())) {
            if (packages) {
              scanPackages(in, need);
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
    return new PoolEstimate(bytes[0], files[0], indexes, listing);
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

  /**
   * Reads only the Filename and Size lines of a Packages stream, byte by byte: a fraction of a full
   * parse (the verifier checks every stanza later). Stanzas without both are skipped, as are unsafe
   * paths.
   */
  static void scanPackages(InputStream in, BiConsumer<String, Long> need) throws IOException {
    byte[] buf = new byte[1 << 16];
    byte[] line = new byte[4096];
    int n = 0;
    boolean overlong = false;
    String[] filename = {null};
    long[] size = {-1};
    int r;
    while ((r = in.read(buf)) > 0) {
      for (int i = 0; i < r; i++) {
        byte c = buf[i];
        if (c != '\n') {
          if (n < line.length) {
            line[n++] = c;
          } else {
            overlong = true;
          }
          continue;
        }
        if (!overlong) {
          scanLine(line, n, filename, size, need);
        }
        n = 0;
        overlong = false;
      }
    }
    if (!overlong && n > 0) {
      scanLine(line, n, filename, size, need);
    }
    scanLine(line, 0, filename, size, need);
  }

  /** The same scan over a whole index in memory (a mapped file). */
  static void scanPackages(java.nio.ByteBuffer b, BiConsumer<String, Long> need) {
    String[] filename = {null};
    long[] size = {-1};
    byte[] line = new byte[4096];
    int limit = b.limit();
    int start = 0;
    while (start < limit) {
      int end = start;
      while (end < limit && b.get(end) != '\n') {
        end++;
      }
      int n = end - start;
      byte first = n > 0 ? b.get(start) : 0;
      if (n == 0) {
        scanLine(line, 0, filename, size, need);
      } else if ((first == 'F' || first == 'S') && n <= line.length) {
        b.get(start, line, 0, n);
        scanLine(line, n, filename, size, need);
      }
      start = end + 1;
    }
    scanLine(line, 0, filename, size, need);
  }

  private static void scanLine(
      byte[] line, int n, String[] filename, long[] size, BiConsumer<String, Long> need) {
    if (n == 0) {
      if (filename[0] != null && size[0] >= 0) {
        need.accept(filename[0], size[0]);
      }
      filename[0] = null;
      size[0] = -1;
    } else if (startsWith(line, n, FILENAME)) {
      String f =
          new String(line, FILENAME.length, n - FILENAME.length, StandardCharsets.UTF_8).trim();
      filename[0] = org.mirrordirector.sync.archive.PoolPaths.problem(f, true) == null ? f : null;
    } else if (startsWith(line, n, SIZE)) {
      long v = 0;
      int i = SIZE.length;
      while (i < n && line[i] == ' ') {
        i++;
      }
      int digits = 0;
      for (; i < n && line[i] >= '0' && line[i] <= '9' && digits < 18; i++, digits++) {
        v = v * 10 + (line[i] - '0');
      }
      size[0] = digits > 0 ? v : -1;
    }
  }

  private static final byte[] FILENAME = "Filename:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SIZE = "Size:".getBytes(StandardCharsets.US_ASCII);

  private static boolean startsWith(byte[] line, int n, byte[] prefix) {
    if (n < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
