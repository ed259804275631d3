package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

class SyncServiceTest {
  @TempDir Path dir;
  TestArchive upstream;
  RsyncDaemon daemon;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 33));
    daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root);
  }

  @AfterEach
  void stopUpstream() throws Exception {
    daemon.close();
  }

  static void await(String what, Duration timeout, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void itSyncsWhenTheUpstreamChangesAndOnlyThen() throws Exception {
    SyncAgent agent =
        new SyncAgent(
            SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a"),
            upstream.keys());
    try (SyncService s = new SyncService(agent, daemon::url, Duration.ofMillis(200)).start()) {
      await("the first sync", Duration.ofSeconds(30), () -> s.stats().runs() == 1);
      assertThat(s.stats().last().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      long looks = s.stats().looks();
      await("five more looks", Duration.ofSeconds(30), () -> s.stats().looks() >= looks + 5);
      assertThat(s.stats().runs()).as("an unchanged upstream is not copied again").isEqualTo(1);

      ArchiveGenerator.generate(
          GeneratorOptions.small(upstream.root, 0, 33).withUpdateFrom(upstream.root, 5));
      await("a sync of the change", Duration.ofSeconds(30), () -> s.stats().runs() == 2);
      SyncReport r = s.stats().last();
      assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      assertThat(r.ids().get("bookworm").sha256())
          .isEqualTo(
              org.mirrordirector.sync.archive.SnapshotId.ofInRelease(
                      java.nio.file.Files.readAllBytes(upstream.dists("InRelease")))
                  .sha256());
      assertThat(s.stats().lookProblem()).isNull();
    }
  }

  @Test
  void triggersDuringARunAreCoalescedIntoOneMoreRun() throws Exception {
    SyncAgent slow =
        new SyncAgent(
            SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a")
                .withRsyncExtraArgs(List.of("--bwlimit=2000")),
            upstream.keys());
    // A long interval: only the triggers start runs.
    try (SyncService s = new SyncService(slow, daemon::url, Duration.ofHours(1))) {
      assertThat(s.trigger()).isTrue();
      await("the run to start", Duration.ofSeconds(10), () -> s.stats().running());
      int accepted = 0;
      for (int i = 0; i < 5; i++) {
        accepted += s.trigger() ? 1 : 0;
      }
      assertThat(s.stats().running()).as("the first run is still going").isTrue();
      assertThat(accepted).isEqualTo(1);
      assertThat(s.stats().coalesced()).isEqualTo(4);
      await(
          "both runs",
          Duration.ofSeconds(60),
          () -> s.stats().runs() == 2 && !s.stats().running() && !s.stats().queued());
      Thread.sleep(300);
      assertThat(s.stats().runs()).isEqualTo(2);
      assertThat(s.stats().last().outcome()).isEqualTo(SyncOutcome.UNCHANGED);
    }
  }

  @Test
  void anUnreachableUpstreamIsReportedByTheLookAndRetried() throws Exception {
    SyncAgent agent =
        new SyncAgent(
            SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a"),
            upstream.keys());
    daemon.close();
    try (SyncService s = new SyncService(agent, daemon::url, Duration.ofMillis(200)).start()) {
      await("a failed look", Duration.ofSeconds(20), () -> s.stats().lookProblem() != null);
      assertThat(s.stats().lookProblem()).contains("cannot fetch " + daemon.url());
      assertThat(s.stats().runs()).isZero();
    }
  }
}
