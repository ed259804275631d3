package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.archive.SuiteIndex;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * A mirror caught with the newest indexes over the pool of the publication before them, when this
 * node skipped that publication: the files the node's snapshot adds then span two publications, and
 * the mirror has most of them. The probe must still find the newest ones missing.
 */
class NewestFilesProbeTest {
  @TempDir Path dir;

  @Test
  void newIndexesOverThePoolOfASkippedPublicationAreBrokenAtEveryProbe() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 13));
    Path v2Pool = dir.resolve("mirror");
    KnownSnapshots known;
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent agent = MirrorProberTest.agent(dir, daemon, upstream);
      assertThat(agent.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      // Version 2 changes many packages; the node does not sync it. It was published two hours
      // before version 3, as real publications are apart.
      ArchiveGenerator.generate(
          GeneratorOptions.small(upstream.root, 0, 13).withUpdateFrom(upstream.root, 60));
      FileTime earlier = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
      try (Stream<Path> s = Files.walk(upstream.root)) {
        for (Path f : (Iterable<Path>) s::iterator) {
          Files.setLastModifiedTime(f, earlier);
        }
      }
      assertThat(
              new ProcessBuilder("cp", "-a", upstream.root.toString(), v2Pool.toString())
                  .start()
                  .waitFor())
          .isZero();
      // Version 3 changes few; the node syncs it, so its snapshot adds both versions' files.
      ArchiveGenerator.generate(
          GeneratorOptions.small(upstream.root, 0, 13).withUpdateFrom(upstream.root, 3));
      assertThat(agent.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      known = new LocalSnapshots(agent.store(), List.of("bookworm")).scan();
    }
    KnownSnapshot v3 = known.current().orElseThrow();
    long present =
        v3.newPool().keySet().stream().filter(p -> Files.exists(v2Pool.resolve(p))).count();
    long absent = v3.newPool().size() - present;
    assertThat(absent).as("version 3 adds files of its own").isPositive();
    assertThat(present)
        .as("most of what the node's snapshot adds came with version 2, which the mirror has")
        .isGreaterThan(4 * absent);

    // The mirror: version 3's indexes over version 2's pool (a sync that died between stages).
    Path dists = v2Pool.resolve("dists");
    assertThat(new ProcessBuilder("rm", "-rf", dists.toString()).start().waitFor()).isZero();
    assertThat(
            new ProcessBuilder("cp", "-a", v3.tree().resolve("dists").toString(), dists.toString())
                .start()
                .waitFor())
        .isZero();
    try (TestMirror m = TestMirror.http(v2Pool)) {
      // Probers with their own random samples: a random draw of 5 of these files misses
      // version 3's own most of the time; every probe must find one missing.
      for (int i = 0; i < 12; i++) {
        try (MirrorProber p =
            new MirrorProber(
                ProbeConfig.defaults(List.of("bookworm")).withTimeout(Duration.ofSeconds(10)),
                upstream.keys(),
                Clock.systemUTC(),
                null)) {
          Observation o =
              MirrorProberTest.only(p.probe(MirrorProberTest.http("m", m), known), "http");
          assertThat(o.health()).as(o.reason()).isEqualTo(Health.BROKEN);
          assertThat(o.reason()).startsWith("missing pool/");
        }
      }
    }
  }

  @Test
  void aLearnedSnapshotIsSampledFirstInTheFilesNoOtherLearnedSnapshotLists() {
    Map<String, Long> files = new java.util.TreeMap<>();
    for (int i = 0; i < 40; i++) {
      files.put("pool/main/o/old" + i + ".deb", 10L + i);
    }
    files.put("pool/main/n/new1.deb", 1L);
    files.put("pool/main/n/new2.deb", 2L);
    SuiteIndex learned =
        new SuiteIndex(
            "bookworm", "ab12", Instant.now(), Optional.empty(), files, Set.of(), Map.of());
    KnownSnapshots none = new KnownSnapshots(List.of());
    PoolSample sample = new PoolSample(5, new Random(1));
    for (int i = 0; i < 20; i++) {
      List<String> got =
          sample.ofLearned(learned, none, p -> p.startsWith("pool/main/o/")).stream()
              .map(Map.Entry::getKey)
              .toList();
      assertThat(got).hasSize(5).doesNotHaveDuplicates();
      assertThat(got.subList(0, 2))
          .containsExactlyInAnyOrder("pool/main/n/new1.deb", "pool/main/n/new2.deb");
    }
    assertThat(sample.addedCount(learned, none)).isEqualTo(42);
    assertThat(new PoolSample(5, new Random(1)).pick(Map.of("pool/a", 1L), List.of("pool/b")))
        .extracting(Map.Entry::getKey)
        .containsExactly("pool/a");
    assertThat(new PoolSample(0, new Random(1)).pick(files, List.of("pool/main/n/new1.deb")))
        .isEmpty();
  }
}
