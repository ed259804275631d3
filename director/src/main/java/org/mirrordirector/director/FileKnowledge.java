package org.mirrordirector.director;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mirrordirector.sync.archive.ClearSignedMessage;
import org.mirrordirector.sync.archive.Compression;
import org.mirrordirector.sync.archive.IndexEntry;
import org.mirrordirector.sync.archive.IndexParsers;
import org.mirrordirector.sync.archive.ReleaseFile;
import org.mirrordirector.sync.archive.ReleaseParser;
import org.mirrordirector.sync.archive.SnapshotId;

/**
 * Which files each retained snapshot holds, read from this node's verified snapshots (never from
 * crawling mirrors): per InRelease hash, the pool paths its Packages list and the SHA-256 of every
 * index its Release lists (the by-hash names). A mirror "has" a file when one of the snapshots it
 * serves lists it. Paths are shared between snapshots, so three snapshots of 60,000 packages cost
 * little more than one.
 */
public final class FileKnowledge {
  /** One suite's snapshot: its files and when it expires. */
  public record Snapshot(
      String suite,
      String inRelease,
      Instant date,
      Optional<Instant> validUntil,
      Set<String> pool,
      Set<String> byHash) {}

  private final Map<String, Snapshot> byInRelease;
  private final List<String> problems;
  // Each snapshot's bit, and for every pool path the bits of the snapshots that list it: a request
  // costs one lookup of its path, whatever the number of snapshots the mirrors serve.
  private final Map<String, Integer> bits = new HashMap<>();
  private final PathMasks masks;
  private final Map<String, Long> hashMasks = new HashMap<>();

  private FileKnowledge(Map<String, Snapshot> byInRelease, List<String> problems) {
    this.byInRelease = Map.copyOf(byInRelease);
    this.problems = List.copyOf(problems);
    List<String> shas = new ArrayList<>(byInRelease.keySet());
    java.util.Collections.sort(shas);
    int total = 0;
    for (String sha : shas) {
      if (bits.size() == Long.SIZE) {
        break; // more than 64 kept suite snapshots: the rest list nothing, so get no pool requests
      }
      bits.put(sha, bits.size());
      total += byInRelease.get(sha).pool().size();
    }
    masks = new PathMasks(total);
    for (Map.Entry<String, Integer> b : bits.entrySet()) {
      for (String path : byInRelease.get(b.getKey()).pool()) {
        masks.add(path, 1L << b.getValue());
      }
      for (String h : byInRelease.get(b.getKey()).byHash()) {
        hashMasks.merge(h, 1L << b.getValue(), (x, y) -> x | y);
      }
    }
  }

  /** An open-addressing table from pool path to a mask of snapshot bits. */
  private static final class PathMasks {
    private final String[] keys;
    private final long[] values;

    PathMasks(int expected) {
      int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
      keys = new String[cap];
      values = new long[cap];
    }

    void add(String key, long bit) {
      int i = slot(key);
      keys[i] = key;
      values[i] |= bit;
    }

    long get(String key) {
      int i = slot(key);
      return keys[i] == null ? 0 : values[i];
    }

    private int slot(String key) {
      int mask = keys.length - 1;
      int i = (key.hashCode() * 0x9E3779B9 >>> 7) & mask;
      while (keys[i] != null && !keys[i].equals(key)) {
        i = (i + 1) & mask;
      }
      return i;
    }
  }

  public static FileKnowledge empty() {
    return new FileKnowledge(Map.of(), List.of());
  }

  /** The suites that could not be read at the last load, each naming the file and the reason. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Reads every suite of every tree. A tree or suite that cannot be read is skipped: the director
   * then knows less, and sends fewer requests to mirrors, never wrong ones.
   */
  public static FileKnowledge load(List<Path> trees, List<String> suites) throws IOException {
    return empty().refresh(trees, suites);
  }

  /**
   * The knowledge of these trees, after a snapshot was published or pruned: suites whose InRelease
   * is already known are taken from this one without reading their indexes again, and snapshots no
   * longer in any tree are forgotten.
   */
  public FileKnowledge refresh(List<Path> trees, List<String> suites) throws IOException {
    Map<String, String> interned = new HashMap<>();
    for (Snapshot s : byInRelease.values()) {
      for (String p : s.pool()) {
        interned.put(p, p);
      }
    }
    Map<String, Snapshot> out = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path tree : trees) {
      for (String suite : suites) {
        Path in = tree.resolve("dists").resolve(suite).resolve("InRelease");
        if (!Files.isRegularFile(in)) {
          continue;
        }
        try {
          byte[] data = Files.readAllBytes(in);
          String sha = SnapshotId.ofInRelease(data).sha256();
          if (out.containsKey(sha)) {
            continue;
          }
          Snapshot known = byInRelease.get(sha);
          out.put(sha, known != null ? known : read(tree, suite, in, data, sha, interned));
        } catch (IOException | RuntimeException e) {
          problems.add(in + ": " + e.getMessage());
        }
      }
    }
    return new FileKnowledge(out, problems);
  }

  private static Snapshot read(
      Path tree, String suite, Path in, byte[] data, String sha, Map<String, String> interned)
      throws IOException {
    ReleaseFile rf =
        ReleaseParser.parse(
            ClearSignedMessage.parse(data, in.toString()).signedText(), in.toString());
    Set<String> pool = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (Map.Entry<String, IndexEntry> e : rf.sha256().entrySet()) {
      hashes.add(e.getValue().sha256());
      if (e.getKey().endsWith("/Packages")) {
        readPackages(
            tree.resolve("dists").resolve(suite), e.getKey(), e.getValue(), pool, interned);
      }
    }
    return new Snapshot(
        suite, sha, rf.date(), rf.validUntil(), Set.copyOf(pool), Set.copyOf(hashes));
  }

  private static void readPackages(
      Path dir, String index, IndexEntry plain, Set<String> pool, Map<String, String> interned)
      throws IOException {
    for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.XZ)) {
      Path f = dir.resolve(index + c.suffix());
      if (!Files.isRegularFile(f)) {
        continue;
      }
      List<String> found = new ArrayList<>();
      try (InputStream raw = Files.newInputStream(f);
          InputStream in = c.decompress(raw, f.toString(), plain.size())) {
        IndexParsers.packages(in, f.toString(), p -> found.add(p.filename()), bad -> {});
      }
      for (String p : found) {
        pool.add(interned.computeIfAbsent(p, k -> k));
      }
      return;
    }
  }

  public Optional<Snapshot> snapshot(String inReleaseSha256) {
    return Optional.ofNullable(byInRelease.get(inReleaseSha256));
  }

  /** True when the snapshot named by this InRelease hash lists the pool file. */
  public boolean hasPoolFile(String inReleaseSha256, String path) {
    return (poolMask(path) & bit(inReleaseSha256)) != 0;
  }

  /** The snapshots that list this pool file, as a mask of {@link #bit} values. */
  public long poolMask(String path) {
    return masks.get(path);
  }

  /** The snapshots that list an index with this SHA-256, as a mask of {@link #bit} values. */
  public long hashMask(String sha256) {
    Long m = hashMasks.get(sha256);
    return m == null ? 0 : m;
  }

  /** The bit of the snapshot named by this InRelease hash, or 0 when it is not known. */
  public long bit(String inReleaseSha256) {
    Integer b = bits.get(inReleaseSha256);
    return b == null ? 0 : 1L << b;
  }

  /** True when the snapshot named by this InRelease hash lists an index with this SHA-256. */
  public boolean hasHash(String inReleaseSha256, String sha256) {
    return (hashMask(sha256) & bit(inReleaseSha256)) != 0;
  }

  public int size() {
    return byInRelease.size();
  }
}
