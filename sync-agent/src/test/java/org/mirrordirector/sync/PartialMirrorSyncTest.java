package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Selection;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.VerifyOptions;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * A partial mirror, synced over a real rsync daemon: only the selected components and architectures
 * are copied (rsync filters, as ftpsync's include/exclude), and what is copied verifies; a
 * selection the upstream's Release does not list publishes nothing.
 */
class PartialMirrorSyncTest {
  @TempDir Path dir;

  static List<String> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
    }
  }

  @Test
  void onlyTheSelectionIsCopiedAndItVerifies() throws Exception {
    TestArchive upstream =
        TestArchive.create(
            dir,
            GeneratorOptions.small(dir.resolve("upstream"), 60, 31)
                .withComponents(List.of("main", "contrib"))
                .withArchitectures(List.of("armhf", "arm64"))
                .withByHash(true));
    Selection armhfMain =
        Selection.all()
            .withComponents(List.of("main"))
            .withArchitectures(List.of("armhf"))
            .withLanguages(Optional.of(List.of()));
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent a =
          new SyncAgent(
              SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a")
                  .withSelection(armhfMain),
              upstream.keys());
      SyncReport r = a.runOnce();
      assertThat(r.problems()).isEmpty();
      assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);

      List<String> got = files(r.snapshot());
      List<String> all = files(upstream.root);
      assertThat(got).contains("dists/bookworm/InRelease");
      assertThat(got).anyMatch(p -> p.startsWith("dists/bookworm/main/binary-armhf/Packages"));
      assertThat(got).anyMatch(p -> p.startsWith("pool/main/") && p.endsWith("_armhf.deb"));
      assertThat(got)
          .as("nothing of arm64 or contrib")
          .noneMatch(p -> p.contains("binary-arm64") || p.endsWith("_arm64.deb"))
          .noneMatch(p -> p.contains("/contrib/"));
      assertThat(all)
          .as("the upstream has them")
          .anyMatch(p -> p.endsWith("_arm64.deb"))
          .anyMatch(p -> p.startsWith("pool/contrib/"));
      assertThat(got.size()).isLessThan(all.size());

      // What was copied is the whole selection: it verifies on its own, pool hashes included.
      assertThat(
              new ArchiveVerifier(upstream.keys())
                  .verify(
                      new LocalArchiveSource(r.snapshot()),
                      VerifyOptions.defaults("bookworm")
                          .withSelection(armhfMain)
                          .withPool(PoolCheck.HASH))
                  .problems())
          .isEmpty();
      // ... and as a full mirror it would not: the rest is missing.
      assertThat(
              new ArchiveVerifier(upstream.keys())
                  .verify(
                      new LocalArchiveSource(r.snapshot()),
                      VerifyOptions.defaults("bookworm").withPool(PoolCheck.NONE))
                  .ok())
          .isFalse();
    }
  }

  @Test
  void aSelectionTheReleaseDoesNotListPublishesNothing() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 10, 32));
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent a =
          new SyncAgent(
              SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a")
                  .withSelection(
                      Selection.all().withArchitectures(List.of("riscv64")).withExtras(Set.of())),
              upstream.keys());
      SyncReport r = a.runOnce();
      assertThat(r.outcome()).isEqualTo(SyncOutcome.REJECTED);
      assertThat(String.join("\n", r.problems()))
          .contains("architecture riscv64 is not in the Release");
      assertThat(a.store().current()).isEmpty();
    }
  }
}
