package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.mirrordirector.sync.SnapshotStore;
import org.mirrordirector.sync.archive.ClearSignedMessage;
import org.mirrordirector.sync.archive.IndexEntry;
import org.mirrordirector.sync.archive.ReleaseFile;
import org.mirrordirector.sync.archive.ReleaseParser;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.SnapshotId;

/**
 * Reads what the prober needs from this node's verified snapshots: InRelease hashes and dates,
 * publication times, index sizes, and the pool files new in each snapshot, found by comparing
 * inodes with the previous snapshot (unchanged files are hard links). Each snapshot is read once.
 */
public final class LocalSnapshots {
  /** Files sampled from a snapshot that has no previous one to compare with. */
  static final int FIRST_SNAPSHOT_SAMPLE = 1000;

  private final SnapshotStore store;
  private final List<String> suites;
  private final Map<String, KnownSnapshot> cache = new ConcurrentHashMap<>();

  public LocalSnapshots(SnapshotStore store, List<String> suites) {
    this.store = Objects.requireNonNull(store, "store");
    this.suites = List.copyOf(suites);
  }

  /** The complete snapshots up to the current one, oldest first. */
  /**
   * {@link #scan} for a {@code ProbeService}: a tree that cannot be read is an {@link
   * java.io.UncheckedIOException}, which fails that round only.
   */
  public java.util.function.Supplier<KnownSnapshots> supplier() {
    return () -> {
      try {
        return scan();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  public synchronized KnownSnapshots scan() throws IOException {
    Optional<Path> current = store.current();
    if (current.isEmpty()) {
      return new KnownSnapshots(List.of());
    }
    List<Path> trees = new ArrayList<>();
    for (Path p : store.list()) {
      trees.add(p);
      if (p.equals(current.get())) {
        break;
      }
    }
    List<KnownSnapshot> out = new ArrayList<>();
    Path previous = null;
    for (Path t : trees) {
      String key = t.getFileName() + "|" + (previous == null ? "" : previous.getFileName());
      Path prev = previous;
      KnownSnapshot s = cache.get(key);
      if (s == null) {
        s = read(t, prev);
        cache.put(key, s);
      }
      out.add(s);
      previous = t;
    }
    cache
        .keySet()
        .removeIf(k -> trees.stream().noneMatch(t -> k.startsWith(t.getFileName() + "|")));
    return new KnownSnapshots(out);
  }

  private KnownSnapshot read(Path tree, Path previous) throws IOException {
    Map<String, String> inRelease = new LinkedHashMap<>();
    Map<String, Instant> dates = new LinkedHashMap<>();
    Map<String, Map<String, Long>> indexSizes = new LinkedHashMap<>();
    for (String suite : suites) {
      Path in = tree.resolve("dists").resolve(suite).resolve("InRelease");
      if (!Files.isRegularFile(in)) {
        continue;
      }
      byte[] data = Files.readAllBytes(in);
      inRelease.put(suite, SnapshotId.ofInRelease(data).sha256());
      ReleaseFile rf =
          ReleaseParser.parse(
              ClearSignedMessage.parse(data, in.toString()).signedText(), in.toString());
      dates.put(suite, rf.date());
      Map<String, Long> sizes = new LinkedHashMap<>();
      for (Map.Entry<String, IndexEntry> e : rf.sha256().entrySet()) {
        if (e.getKey().contains("Packages")
            && Files.isRegularFile(tree.resolve("dists").resolve(suite).resolve(e.getKey()))) {
          sizes.put(e.getKey(), e.getValue().size());
        }
      }
      indexSizes.put(suite, sizes);
    }
    return new KnownSnapshot(
        tree.getFileName().toString(),
        inRelease,
        dates,
        publishedAt(tree),
        newPool(tree, previous),
        indexSizes,
        tree);
  }

  /** The Date of the trace file written just before publication, else the tree's mtime. */
  private static Instant publishedAt(Path tree) throws IOException {
    Path traces = tree.resolve("project/trace");
    if (Files.isDirectory(traces)) {
      try (Stream<Path> s = Files.list(traces)) {
        for (Path t : (Iterable<Path>) s.sorted()::iterator) {
          for (String line : Files.readAllLines(t)) {
            if (line.startsWith("Date: ")) {
              try {
                return Rfc2822Dates.parse(line.substring(6).trim());
              } catch (RuntimeException bad) {
                break;
              }
            }
          }
        }
      }
    }
    return Files.getLastModifiedTime(tree).toInstant();
  }

  private static Map<String, Long> newPool(Path tree, Path previous) throws IOException {
    Path pool = tree.resolve("pool");
    Map<String, Long> out = new HashMap<>();
    if (!Files.isDirectory(pool)) {
      return out;
    }
    List<Map.Entry<String, Long>> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(pool)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
          continue;
        }
        String rel = tree.relativize(f).toString();
        if (previous == null) {
          all.add(Map.entry(rel, a.size()));
          continue;
        }
        Path old = previous.resolve(rel);
        Object oldKey = null;
        try {
          oldKey = Files.readAttributes(old, BasicFileAttributes.class).fileKey();
        } catch (IOException absent) {
          // new
        }
        if (oldKey == null || !oldKey.equals(a.fileKey())) {
          out.put(rel, a.size());
        }
      }
    }
    if (previous == null) {
      java.util.Collections.shuffle(all, new java.util.Random(tree.getFileName().hashCode()));
      for (Map.Entry<String, Long> e :
          all.subList(0, Math.min(all.size(), FIRST_SNAPSHOT_SAMPLE))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}
