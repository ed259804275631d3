package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.mirrordirector.sync.archive.SuiteIndex;

/**
 * Which pool files a probe asks a mirror for (HEAD), out of the files its snapshot adds.
 *
 * <p>A mirror caught with new indexes over an old pool (a sync that died between its stages, a
 * one-stage copy in name order) lacks every file of the newest publication, but may well have the
 * files of the ones before it. The files a snapshot adds, as this node can tell them, often span
 * several publications: this node may have skipped one (its sync was down or slower than the
 * upstream), and a learned snapshot is compared with this node's current one, which may be some
 * versions old. A sample drawn at random from such a set can then miss the newest publication's
 * files entirely, and the mirror would be called healthy at a snapshot whose newest files it does
 * not have (in a soak under load: 2 clients of 251 got a 404). So half the sample, rounded up, is
 * the newest files, and the rest is drawn at random:
 *
 * <ul>
 *   <li>of a snapshot this node keeps, the files with the latest modification time in its tree (the
 *       upstream's, kept by rsync's {@code -t}): the files its last publication added;
 *   <li>of a learned snapshot, the added files that no other snapshot the learner holds lists.
 * </ul>
 */
final class PoolSample {
  private final int size;
  private final Random random;
  // A snapshot tree's new pool files, newest first; a kept tree does not change.
  private final Map<Path, List<String>> newestFirst = new ConcurrentHashMap<>();
  // A learned snapshot's files that this node's current tree lacks, by the two of them.
  private final Map<String, Map<String, Long>> added = new ConcurrentHashMap<>();

  PoolSample(int size, Random random) {
    this.size = size;
    this.random = random;
  }

  /** The files to check of a snapshot this node keeps: its newest first, then some at random. */
  List<Map.Entry<String, Long>> ofKept(KnownSnapshot s) {
    Map<String, Long> files = s.newPool();
    List<String> newest =
        s.tree() == null
            ? List.of()
            : newestFirst.computeIfAbsent(s.tree(), t -> byModificationTime(t, files));
    if (newestFirst.size() > 16) {
      newestFirst.keySet().removeIf(t -> !Files.isDirectory(t));
    }
    return pick(files, newest);
  }

  /**
   * The files to check of a learned snapshot: the ones it adds to this node's current one, those no
   * other learned snapshot lists first.
   *
   * @param listedElsewhere whether another snapshot the learner holds lists a path
   */
  List<Map.Entry<String, Long>> ofLearned(
      SuiteIndex learned, KnownSnapshots known, Predicate<String> listedElsewhere) {
    Map<String, Long> adds = addedFiles(learned, known);
    List<String> unique = new ArrayList<>();
    for (String p : adds.keySet()) {
      if (!listedElsewhere.test(p)) {
        unique.add(p);
      }
    }
    unique.sort(Comparator.naturalOrder());
    java.util.Collections.shuffle(unique, random);
    return pick(adds, unique);
  }

  /** How many files {@link #ofLearned} would choose from (for the probe's reason). */
  int addedCount(SuiteIndex learned, KnownSnapshots known) {
    return addedFiles(learned, known).size();
  }

  /** Half the sample (rounded up) from {@code first} in its order, the rest at random. */
  List<Map.Entry<String, Long>> pick(Map<String, Long> files, List<String> first) {
    int n = Math.min(files.size(), size);
    Map<String, Long> out = new LinkedHashMap<>();
    for (String p : first) {
      if (out.size() >= (n + 1) / 2) {
        break;
      }
      Long len = files.get(p);
      if (len != null) {
        out.put(p, len);
      }
    }
    List<Map.Entry<String, Long>> rest = new ArrayList<>(files.entrySet());
    rest.sort(Map.Entry.comparingByKey());
    java.util.Collections.shuffle(rest, random);
    for (Map.Entry<String, Long> e : rest) {
      if (out.size() >= n) {
        break;
      }
      out.putIfAbsent(e.getKey(), e.getValue());
    }
    return new ArrayList<>(out.entrySet());
  }

  /** The pool files of a learned snapshot that this node's current snapshot does not have. */
  private Map<String, Long> addedFiles(SuiteIndex learned, KnownSnapshots known) {
    Path tree = known.current().map(KnownSnapshot::tree).orElse(null);
    String key = learned.inRelease() + "|" + tree;
    Map<String, Long> cached = added.get(key);
    if (cached != null) {
      return cached;
    }
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<String, Long> e : learned.pool().entrySet()) {
      if (tree == null || !Files.exists(tree.resolve(e.getKey()))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    if (added.size() >= 8) {
      added.clear();
    }
    added.put(key, out);
    return out;
  }

  /** The files, latest modification time first (a file that cannot be read last), then by name. */
  private static List<String> byModificationTime(Path tree, Map<String, Long> files) {
    Map<String, Long> mtime = new HashMap<>();
    for (String p : files.keySet()) {
      long t;
      try {
        t = Files.getLastModifiedTime(tree.resolve(p)).toMillis();
      } catch (IOException | RuntimeException e) {
        t = Long.MIN_VALUE;
      }
      mtime.put(p, t);
    }
    List<String> out = new ArrayList<>(files.keySet());
    out.sort(
        Comparator.comparing((String p) -> mtime.get(p))
            .reversed()
            .thenComparing(Comparator.naturalOrder()));
    return List.copyOf(out);
  }
}
