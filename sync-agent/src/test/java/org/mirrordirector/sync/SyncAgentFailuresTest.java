package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sync agent's runs that go wrong: a corrupt, badly signed, truncated, unreachable or moving
 * upstream, rsync killed, a kill between the renames, a full disk. Nothing is published that does
 * not verify, and the current snapshot stays.
 */
class SyncAgentFailuresTest extends SyncAgentFixture {
  @Test
  void aCorruptUpstreamIsNeverPublishedAndTheCurrentSnapshotStays() throws Exception {
    // The upstream now serves a new pool file whose bytes do not match its index (same size).
    Spoiled s =
        spoilAnUpdate(
            newest -> {
              byte[] b = Files.readAllBytes(newest);
              b[b.length / 2] ^= 1;
              Files.write(newest, b);
            });
    assertThat(s.bad().problems())
        .anySatisfy(p -> assertThat(p).contains("POOL " + s.file()).contains("SHA256 differs"));
    assertThat(s.agent().store().list()).containsExactly(s.good().snapshot());
    try (Stream<Path> files = Files.list(dir.resolve("mirror/snapshots"))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith(".partial"))).isEmpty();
    }
  }

  @Test
  void aBadSignatureUpstreamIsRejected() throws Exception {
    String in = Files.readString(upstream.dists("InRelease"));
    Files.writeString(
        upstream.dists("InRelease"), in.replace("Label: Mirror Director", "Label: Evil Director"));
    SyncReport r = agent(3).runOnce();
    assertThat(r.outcome()).isEqualTo(SyncOutcome.REJECTED);
    assertThat(r.problems())
        .anySatisfy(p -> assertThat(p).contains("SIGNATURE").contains("BAD signature"));
    assertThat(agent(3).store().current()).isEmpty();
  }

  @Test
  void anUnreachableUpstreamFailsWithoutTouchingTheCurrentSnapshot() throws Exception {
    SyncAgent a = agent(3);
    SyncReport good = a.runOnce();
    daemon.close();
    SyncReport r = a.runOnce();
    assertThat(r.outcome()).isEqualTo(SyncOutcome.FAILED);
    assertThat(r.problems().get(0))
        .startsWith("cannot list the upstream: rsync --list-only " + daemon.url() + " exited");
    assertThat(a.store().current()).contains(good.snapshot());
  }

  @Test
  void rsyncKilledInStageOneOrTwoPublishesNothingAndTheNextRunRecovers() throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncConfig base = SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a");
    SyncAgent slow =
        new SyncAgent(base.withRsyncExtraArgs(List.of("--bwlimit=100")), upstream.keys());
    SyncReport killed1 = killRsyncDuring(slow, "--exclude=Packages*");
    assertThat(killed1.outcome()).isEqualTo(SyncOutcome.FAILED);
    assertThat(killed1.problems().get(0)).startsWith("stage 1 (pool): rsync exited");
    assertThat(slow.store().current()).isEmpty();

    SyncAgent fast = new SyncAgent(base, upstream.keys());
    SyncReport good = fast.runOnce();
    assertThat(good.outcome()).isEqualTo(SyncOutcome.PUBLISHED);

    updateUpstream(2);
    SyncAgent slowIndexes =
        new SyncAgent(base.withRsyncExtraArgs(List.of("--bwlimit=10")), upstream.keys());
    SyncReport killed2 = killRsyncDuring(slowIndexes, "--delete-delay");
    assertThat(killed2.outcome()).isEqualTo(SyncOutcome.FAILED);
    assertThat(killed2.problems().get(0)).startsWith("stage 2 (indexes): rsync exited");
    assertThat(fast.store().current()).contains(good.snapshot());
    assertThat(fast.store().list()).containsExactly(good.snapshot());

    SyncReport recovered = fast.runOnce();
    assertThat(recovered.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(recovered.ids().get("bookworm")).isNotEqualTo(good.ids().get("bookworm"));
  }

  @Test
  void aRunThatWouldFillTheDiskIsRefusedAndTheEstimateIsExact() throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncConfig base = SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a");
    // Free space is read again by the run, and other test JVMs write and delete meanwhile: the
    // floor is 1 GiB above what is free now, so that no such change lets the run through.
    long free = Files.getFileStore(dir).getUsableSpace();
    SyncReport refused =
        new SyncAgent(base.withMinFreeBytes(free + (1L << 30)), upstream.keys()).runOnce();
    assertThat(refused.outcome()).isEqualTo(SyncOutcome.REFUSED);
    assertThat(refused.problems().get(0))
        .startsWith("not enough disk space on " + mirror)
        .contains(
            "the new indexes list 40 new pool file(s) of "
                + upstream.result.poolBytes()
                + " bytes");
    assertThat(refused.received()).isZero();
    assertThat(new SnapshotStore(mirror).current()).isEmpty();
    try (Stream<Path> s = Files.list(mirror.resolve("snapshots"))) {
      assertThat(s).isEmpty();
    }

    SyncAgent a = new SyncAgent(base.withMinFreeBytes(0), upstream.keys());
    SyncReport first = a.runOnce();
    assertThat(first.estimatedBytes()).isEqualTo(upstream.result.poolBytes());
    updateUpstream(10);
    SyncReport second = a.runOnce();
    assertThat(second.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(second.receivedPool()).isNotEmpty();
    assertThat(second.estimatedBytes())
        .isEqualTo(second.receivedPool().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void aKillBetweenRenameAndSwapLeavesTheOldSnapshotCurrentAndTheNextRunRecovers()
      throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncAgent a = agent(2);
    SyncReport good = a.runOnce();
    // The state a SIGKILL leaves between publish's two renames: the new tree renamed into
    // snapshots/, a temporary link made, and 'current' not yet swapped.
    Path renamed = mirror.resolve("snapshots/29991231T235959Z");
    Process cp =
        new ProcessBuilder("cp", "-al", good.snapshot().toString(), renamed.toString())
            .inheritIO()
            .start();
    assertThat(cp.waitFor()).isZero();
    Files.createSymbolicLink(mirror.resolve(".current.tmp"), Path.of("snapshots/29991231T235959Z"));
    assertThat(a.store().current()).contains(good.snapshot());
    assertThat(
            new org.mirrordirector.sync.archive.ArchiveVerifier(upstream.keys())
                .verify(
                    new org.mirrordirector.sync.archive.LocalArchiveSource(
                        mirror.resolve("current")),
                    org.mirrordirector.sync.archive.VerifyOptions.defaults("bookworm"))
                .ok())
        .isTrue();

    updateUpstream(5);
    SyncReport next = a.runOnce();
    assertThat(next.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(a.store().current()).contains(next.snapshot());
    assertThat(Files.readSymbolicLink(mirror.resolve("current")).toString())
        .isEqualTo("snapshots/" + next.snapshot().getFileName());
    assertThat(mirror.resolve(".current.tmp")).doesNotExist();
    assertThat(a.store().list()).hasSize(2).contains(next.snapshot());
  }

  @Test
  void indexesChangedWhileThePoolIsCopiedAreVerifiedAgain() throws Exception {
    SyncAgent slow =
        new SyncAgent(
            SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a")
                .withRsyncExtraArgs(List.of("--bwlimit=200")),
            upstream.keys());
    byte[] before = Files.readAllBytes(upstream.dists("InRelease"));
    java.util.concurrent.ExecutorService ex =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<SyncReport> run = ex.submit(() -> slow.runOnce());
      // Once the (slow) pool stage runs, the early index check has read the old indexes long
      // before it ends: change them now.
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (ProcessHandle.current()
          .descendants()
          .noneMatch(
              h ->
                  h.info()
                      .commandLine()
                      .map(c -> c.contains("rsync") && c.contains("--exclude=Packages*"))
                      .orElse(false))) {
        assertThat(System.nanoTime()).as("stage 1 did not start").isLessThan(deadline);
        Thread.sleep(5);
      }
      updateUpstream(20);
      SyncReport r = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
      byte[] after = Files.readAllBytes(upstream.dists("InRelease"));
      assertThat(after).isNotEqualTo(before);
      assertThat(r.problems()).isEmpty();
      assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      assertThat(r.ids().get("bookworm"))
          .as("the published snapshot is verified against the indexes it holds")
          .isEqualTo(org.mirrordirector.sync.archive.SnapshotId.ofInRelease(after));
      assertThat(Files.readAllBytes(r.snapshot().resolve("dists/bookworm/InRelease")))
          .isEqualTo(after);
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void aTruncatedUpstreamFileIsRejectedWithItsSizes() throws Exception {
    long[] size = {0};
    Spoiled s =
        spoilAnUpdate(
            newest -> {
              size[0] = Files.size(newest);
              try (java.nio.channels.FileChannel ch =
                  java.nio.channels.FileChannel.open(
                      newest, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(size[0] / 2);
              }
            });
    assertThat(s.bad().problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("POOL " + s.file())
                    .contains("size differs")
                    .contains("expected " + size[0] + ", found " + size[0] / 2));
  }

  /** What {@link #spoilAnUpdate} left: the agent, its good and its rejected run, the file. */
  private record Spoiled(SyncAgent agent, SyncReport good, SyncReport bad, Path file) {}

  private interface Spoil {
    void apply(Path deb) throws Exception;
  }

  /**
   * Publishes, updates the upstream, spoils a .deb the update added, and syncs again: that run is
   * rejected and the snapshot before stays current.
   */
  private Spoiled spoilAnUpdate(Spoil spoil) throws Exception {
    SyncAgent a = agent(3);
    SyncReport good = a.runOnce();
    updateUpstream(10);
    Path newest = newDeb(good);
    spoil.apply(newest);
    SyncReport bad = a.runOnce();
    assertThat(bad.outcome()).isEqualTo(SyncOutcome.REJECTED);
    assertThat(a.store().current()).contains(good.snapshot());
    return new Spoiled(a, good, bad, upstream.root.relativize(newest));
  }
}
