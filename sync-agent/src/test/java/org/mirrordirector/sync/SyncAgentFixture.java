package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * What the sync agent's tests share: a generated upstream (40 packages, by-hash) served by a real
 * rsync daemon, a fresh one per test, and the agent over {@code dir/mirror}.
 */
abstract class SyncAgentFixture {
  @TempDir Path dir;
  TestArchive upstream;
  RsyncDaemon daemon;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 21).withByHash(true));
    daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root);
  }

  @AfterEach
  void stopUpstream() throws Exception {
    daemon.close();
  }

  SyncAgent agent(int keep) throws IOException {
    return new SyncAgent(
        SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a")
            .withKeep(keep),
        upstream.keys());
  }

  void updateUpstream(double percent) throws IOException {
    ArchiveGenerator.generate(
        GeneratorOptions.small(upstream.root, 0, 21)
            .withByHash(true)
            .withUpdateFrom(upstream.root, percent));
  }

  SyncReport killRsyncDuring(SyncAgent a, String marker) throws Exception {
    java.util.concurrent.ExecutorService ex =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<SyncReport> run = ex.submit(() -> a.runOnce());
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        java.util.Optional<ProcessHandle> victim =
            ProcessHandle.current()
                .descendants()
                .filter(
                    h ->
                        h.info()
                            .commandLine()
                            .map(c -> c.contains("rsync") && c.contains(marker))
                            .orElse(false))
                .findFirst();
        if (victim.isPresent()) {
          Thread.sleep(200); // let it get into the transfer
          victim.get().destroyForcibly();
          break;
        }
        Thread.sleep(5);
      }
      return run.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      ex.shutdownNow();
    }
  }

  /** A .deb of the upstream's pool that the snapshot {@code before} lacks (an update added it). */
  Path newDeb(SyncReport before) throws IOException {
    try (java.util.stream.Stream<Path> s =
        java.nio.file.Files.walk(upstream.root.resolve("pool"))) {
      return s.filter(p -> p.toString().endsWith(".deb"))
          .filter(
              p ->
                  !java.nio.file.Files.exists(
                      before.snapshot().resolve(upstream.root.relativize(p))))
          .sorted()
          .findFirst()
          .orElseThrow();
    }
  }
}
