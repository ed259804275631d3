package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.director.TestFleet.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.mirrordirector.sync.probe.SnapshotLearner;

/**
 * How a director comes to know snapshots that its node does not have yet: from a mirror the
 * registry shows AHEAD (every director learns it from that mirror itself), and from its own node's
 * sync, as soon as the new indexes have arrived and before the pool has.
 */
class KnowledgeKeeperTest {
  @TempDir Path dir;

  @Test
  void aDirectorLearnsTheSnapshotOfAMirrorAheadFromThatMirrorAndForgetsItOnceCaughtUp()
      throws Exception {
    TestFleet.create(dir);
    Path s3 = TestFleet.newerThanS2(dir);
    String s3Sha = Sha256.hex(Files.readAllBytes(s3.resolve("dists/bookworm/InRelease")));
    TrustedKeys keys = TrustedKeys.load(keyring, List.of(), Sha1Policy.REJECT);
    try (StaticHttpServer ahead = new StaticHttpServer(s3);
        SnapshotLearner learner =
            new SnapshotLearner(keys, Duration.ofSeconds(5), 4, Duration.ofSeconds(1), null)) {
      Map<String, MirrorView> ms = new HashMap<>();
      ms.put(
          "ahead",
          m(
              httpMirror("ahead", ahead.base().toString()),
              state("ahead", s3Sha, Health.AHEAD, null)));
      AtomicReference<ClusterView> view = new AtomicReference<>(view(ms));
      try (KnowledgeKeeper k =
          new KnowledgeKeeper(
              List.of("bookworm"),
              FileKnowledge.load(List.of(s1Tree, s2Tree), List.of("bookworm")),
              learner,
              view::get)) {
        assertThat(k.get().snapshot(s3Sha)).isEmpty();
        k.look();
        await(() -> k.get().snapshot(s3Sha).isPresent());
        SnapshotFiles learned = k.get().snapshot(s3Sha).orElseThrow();
        assertThat(learned.local()).isFalse();
        assertThat(k.get().newest("bookworm")).contains(learned);
        assertThat(k.behind()).as("a mirror is ahead of the node").isTrue();

        // The node publishes S3 itself: the local snapshot replaces the learned one.
        k.refreshLocal(List.of(s2Tree, s3));
        assertThat(k.get().snapshot(s3Sha).orElseThrow().local()).isTrue();
        assertThat(k.behind()).isFalse();
        assertThat(k.get().snapshot(s1)).as("pruned").isEmpty();
      }
    }
  }

  @Test
  void theNodesSyncTeachesTheNewSnapshotBeforeItsPoolHasArrived() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 30, 8));
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root);
        SnapshotLearner learner = SnapshotLearner.defaults(upstream.keys())) {
      SyncAgent agent =
          new SyncAgent(
              SyncConfig.of(daemon.url(), dir.resolve("node"), List.of("bookworm"), "n"),
              upstream.keys());
      assertThat(agent.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      ClusterView none = ClusterView.empty();
      try (KnowledgeKeeper k =
          new KnowledgeKeeper(
              List.of("bookworm"),
              FileKnowledge.load(agent.store().list(), List.of("bookworm")),
              learner,
              () -> none)) {
        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 8)
                .withUpdateFrom(upstream.root, 30)
                .withDate(Clock.systemUTC().instant()));
        String next = Sha256.hex(Files.readAllBytes(upstream.dists("InRelease")));
        AtomicReference<Boolean> poolThere = new AtomicReference<>();
        agent.onNewIndexes(
            tree -> {
              k.learnFromTree(tree, keysOf(upstream));
              SnapshotFiles s = k.get().snapshot(next).orElseThrow();
              poolThere.set(s.pool().stream().allMatch(p -> Files.exists(tree.resolve(p))));
            });
        assertThat(agent.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
        assertThat(poolThere.get()).as("learned before the new pool files arrived").isFalse();
        assertThat(k.get().snapshot(next).orElseThrow().local()).isFalse();
      }
    }
  }

  private static TrustedKeys keysOf(TestArchive a) {
    try {
      return a.keys();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
