package org.mirrordirector.sync.probe;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One verified snapshot.
 *
 * @param inRelease suite to the SHA-256 of its InRelease
 * @param dates suite to the Release Date
 * @param publishedAt when this node published it (its trace file's Date)
 * @param newPool the pool files that are new in this snapshot (not hard links to the previous one),
 *     with their sizes: the files a lagging or careless mirror lacks first
 * @param indexSizes suite to index path (under dists/SUITE/) to size, for the Packages indexes
 * @param tree the local tree
 */
public record KnownSnapshot(
    String name,
    Map<String, String> inRelease,
    Map<String, Instant> dates,
    Instant publishedAt,
    Map<String, Long> newPool,
    Map<String, Map<String, Long>> indexSizes,
    Path tree) {
  public KnownSnapshot {
    inRelease = Map.copyOf(inRelease);
    dates = Map.copyOf(dates);
    newPool = Map.copyOf(newPool);
    indexSizes = Map.copyOf(indexSizes);
  }
}
