package org.mirrordirector.director;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.SuiteIndex;

/**
 * Which files each known snapshot holds, read from signed indexes (never from crawling mirrors):
 * per InRelease hash, the pool paths its Packages list and the SHA-256 of every index its Release
 * lists (the by-hash names). Most snapshots are this node's verified trees ({@link
 * SnapshotFiles#local()}); a snapshot that a mirror serves before this node has synced it is
 * learned from that mirror's indexes, checked against the signed InRelease ({@link #withLearned}).
 * A mirror "has" a file when one of the snapshots it serves lists it. Paths are shared between
 * snapshots, so three snapshots of 60,000 packages cost little more than one.
 */
public final class FileKnowledge {

  private final Map<String, SnapshotFiles> byInRelease;
  private final List<String> problems;
  // Each snapshot's bit, and for every pool path the bits of the snapshots that list it: a request
  // costs one lookup of its path, whatever the number of snapshots the mirrors serve.
  private final Map<String, Integer> bits = new HashMap<>();
  private final PathMasks masks;
  private final Map<String, Long> hashMasks = new HashMap<>();
  private long localMask;
  private long newestMask;
  private final Map<String, SnapshotFiles> newest = new HashMap<>();

  private FileKnowledge(Map<String, SnapshotFiles> byInRelease, List<String> problems) {
    this.byInRelease = Map.copyOf(byInRelease);
    this.problems = List.copyOf(problems);
    List<String> shas = new ArrayList<>(byInRelease.keySet());
    java.util.Collections.sort(shas);
    int total = 0;
    for (String sha : shas) {
      if (bits.size() == Long.SIZE) {
        break; // more than 64 known suite snapshots: the rest list nothing, so get no pool requests
      }
      SnapshotFiles s = byInRelease.get(sha);
      bits.put(sha, bits.size());
      total += s.pool().size();
      SnapshotFiles n = newest.get(s.suite());
      if (n == null || s.date().isAfter(n.date())) {
        newest.put(s.suite(), s);
      }
    }
    masks = new PathMasks(total);
    for (Map.Entry<String, Integer> b : bits.entrySet()) {
      SnapshotFiles s = byInRelease.get(b.getKey());
      long bit = 1L << b.getValue();
      for (String path : s.pool()) {
        masks.add(path, bit);
      }
      for (String h : s.byHash()) {
        hashMasks.merge(h, bit, (x, y) -> x | y);
      }
      if (s.local()) {
        localMask |= bit;
      }
    }
    for (SnapshotFiles n : newest.values()) {
      newestMask |= bit(n.inRelease());
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
   * is already known from a tree are taken from this one without reading their indexes again, and
   * snapshots no longer in any tree are forgotten. Learned snapshots are kept, unless a tree now
   * holds the same one.
   */
  public FileKnowledge refresh(List<Path> trees, List<String> suites) throws IOException {
    Map<String, String> interned = interned();
    Map<String, SnapshotFiles> out = new HashMap<>();
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
          SnapshotFiles known = byInRelease.get(sha);
          out.put(
              sha,
              known != null && known.local()
                  ? known
                  : of(
                      SuiteIndex.read(
                          new LocalArchiveSource(tree), suite, data, null, false, interned),
                      true));
        } catch (IOException | RuntimeException e) {
          problems.add(in + ": " + e.getMessage());
        }
      }
    }
    for (SnapshotFiles s : byInRelease.values()) {
      if (!s.local()) {
        out.putIfAbsent(s.inRelease(), s);
      }
    }
    return new FileKnowledge(out, problems);
  }

  /**
   * This knowledge and a snapshot learned from a mirror's indexes (checked against its signed
   * InRelease by whoever read them). A snapshot already known is not replaced.
   */
  public FileKnowledge withLearned(SuiteIndex learned) {
    if (byInRelease.containsKey(learned.inRelease())) {
      return this;
    }
    Map<String, SnapshotFiles> out = new HashMap<>(byInRelease);
    Map<String, String> interned = interned();
    Set<String> pool = new HashSet<>();
    for (String p : learned.pool().keySet()) {
      pool.add(interned.getOrDefault(p, p));
    }
    out.put(
        learned.inRelease(),
        new SnapshotFiles(
            learned.suite(),
            learned.inRelease(),
            learned.date(),
            learned.validUntil(),
            Set.copyOf(pool),
            learned.byHash(),
            false));
    return new FileKnowledge(out, problems);
  }

  /** This knowledge without the learned snapshots that {@code keep} refuses; local ones stay. */
  public FileKnowledge retainLearned(java.util.function.Predicate<String> keep) {
    Map<String, SnapshotFiles> out = new HashMap<>();
    for (SnapshotFiles s : byInRelease.values()) {
      if (s.local() || keep.test(s.inRelease())) {
        out.put(s.inRelease(), s);
      }
    }
    return out.size() == byInRelease.size() ? this : new FileKnowledge(out, problems);
  }

  private static SnapshotFiles of(SuiteIndex i, boolean local) {
    // The paths alone: the index's map keeps each file's size too (a boxed Long per path, and a
    // table twice as large), 5.5 MiB more for three 60,000-package snapshots, which nothing here
    // reads.
    return new SnapshotFiles(
        i.suite(),
        i.inRelease(),
        i.date(),
        i.validUntil(),
        Set.copyOf(i.pool().keySet()),
        i.byHash(),
        local);
  }

  /** Every pool path held now, to share the strings with a snapshot read next. */
  private Map<String, String> interned() {
    Map<String, String> interned = new HashMap<>();
    for (SnapshotFiles s : byInRelease.values()) {
      for (String p : s.pool()) {
        interned.put(p, p);
      }
    }
    return interned;
  }

  /** The snapshots known, by InRelease hash. */
  public Map<String, SnapshotFiles> snapshots() {
    return byInRelease;
  }

  /** The newest snapshot of a suite, by its Release Date, local or learned. */
  public Optional<SnapshotFiles> newest(String suite) {
    return Optional.ofNullable(newest.get(suite));
  }

  /** The bits of the snapshots held in this node's own trees. */
  public long localMask() {
    return localMask;
  }

  /**
   * True when a file (given by its {@link #poolMask}) is listed by some known snapshot but by no
   * suite's newest one: a newer snapshot removed it, so mirrors that moved on since their last
   * probe no longer have it.
   */
  public boolean removedByNewest(long mask) {
    return mask != 0 && (mask & newestMask) == 0;
  }

  public Optional<SnapshotFiles> snapshot(String inReleaseSha256) {
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
