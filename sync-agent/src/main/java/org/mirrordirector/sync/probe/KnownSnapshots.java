package org.mirrordirector.sync.probe;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshots the director knows, oldest first, the current one last: what a mirror's InRelease
 * is compared with.
 */
public record KnownSnapshots(List<Snapshot> oldestFirst) {

  /**
   * One verified snapshot.
   *
   * @param inRelease suite to the SHA-256 of its InRelease
   * @param dates suite to the Release Date
   * @param publishedAt when this node published it (its trace file's Date)
   * @param newPool the pool files that are new in this snapshot (not hard links to the previous
   *     one), with their sizes: the files a lagging or careless mirror lacks first
   * @param indexSizes suite to index path (under dists/SUITE/) to size, for the Packages indexes
   * @param tree the local tree
   */
  public record Snapshot(
      String name,
      Map<String, String> inRelease,
      Map<String, Instant> dates,
      Instant publishedAt,
      Map<String, Long> newPool,
      Map<String, Map<String, Long>> indexSizes,
      Path tree) {
    public Snapshot {
      inRelease = Map.copyOf(inRelease);
      dates = Map.copyOf(dates);
      newPool = Map.copyOf(newPool);
      indexSizes = Map.copyOf(indexSizes);
    }
  }

  public KnownSnapshots {
    oldestFirst = List.copyOf(oldestFirst);
  }

  public Optional<Snapshot> current() {
    return oldestFirst.isEmpty()
        ? Optional.empty()
        : Optional.of(oldestFirst.get(oldestFirst.size() - 1));
  }

  /** The position of the snapshot whose InRelease of {@code suite} has this hash, or -1. */
  public int indexOf(String suite, String sha256) {
    for (int i = oldestFirst.size() - 1; i >= 0; i--) {
      if (sha256.equals(oldestFirst.get(i).inRelease().get(suite))) {
        return i;
      }
    }
    return -1;
  }

  public boolean isCurrent(int index) {
    return index >= 0 && index == oldestFirst.size() - 1;
  }
}
