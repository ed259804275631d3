package org.mirrordirector.ops.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SnapshotStore;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;

/**
 * Benchmark (not a test): what a director replica holds for a suite. Copies each given snapshot in
 * turn, index-only, with the sync agent from a real rsync daemon (as a replica copies the active
 * node's tree), keeping them all; then reports the copies' disk use (hard links counted once), and
 * the heap the director's file knowledge of them takes. Run by ops/bench/replica-bench.sh.
 */
public final class IndexCopyBench {
  private IndexCopyBench() {}

  /** Arguments: KEYRING OUT SNAPSHOT... */
  public static void main(String[] args) throws Exception {
    Path keyring = Path.of(args[0]);
    Path out = Path.of(args[1]);
    List<Path> snapshots = Stream.of(args).skip(2).map(Path::of).toList();
    TrustedKeys keys = TrustedKeys.load(keyring, List.of(), Sha1Policy.REJECT);
    for (Path s : snapshots) {
      try (RsyncDaemon d = new RsyncDaemon(out.resolveSibling(out.getFileName() + "-rsyncd"), s)) {
        SyncAgent agent =
            new SyncAgent(
                SyncConfig.of(d.url(), out, List.of("bookworm"), "replica")
                    .withKeep(snapshots.size())
                    .withMinFreeBytes(0)
                    .withIndexesOnly(true),
                keys);
        long t0 = System.nanoTime();
        SyncReport r = agent.runOnce();
        if (r.outcome() != SyncOutcome.PUBLISHED) {
          throw new IllegalStateException(s + ": " + r.outcome() + " " + r.problems());
        }
        System.out.printf(
            Locale.ROOT,
            "index-only copy of %s: %.1f s, %d files received%n",
            s.getFileName(),
            (System.nanoTime() - t0) / 1e9,
            r.received());
        agent.awaitHousekeeping(java.time.Duration.ofMinutes(1));
      }
    }
    List<Path> kept = new SnapshotStore(out).list();
    List<Path> dists = snapshots.stream().map(s -> s.resolve("dists")).toList();
    System.out.printf(
        Locale.ROOT,
        "disk: %d kept copies, %.1f MiB together (hard links counted once); the same snapshots'"
            + " dists/ as given: %.1f MiB%n",
        kept.size(),
        bytes(List.of(out)) / 1048576.0,
        bytes(dists) / 1048576.0);
    long base = DirectorBench.usedHeap();
    FileKnowledge files = FileKnowledge.load(kept, List.of("bookworm"));
    long held = DirectorBench.usedHeap() - base;
    System.out.printf(
        Locale.ROOT,
        "heap: the file knowledge of the %d copies holds %.1f MiB%n",
        files.size(),
        held / 1048576.0);
    java.lang.ref.Reference.reachabilityFence(files);
  }

  /** Bytes of the regular files under these trees, each inode once. */
  static long bytes(List<Path> trees) throws Exception {
    Set<Object> seen = new HashSet<>();
    long sum = 0;
    for (Path t : trees) {
      try (Stream<Path> s = Files.walk(t)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              && seen.add(Files.readAttributes(p, "unix:ino").get("ino"))) {
            sum += Files.size(p);
          }
        }
      }
    }
    return sum;
  }
}
