package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

class SyncAgentTest {
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

  @Test
  void theFirstSyncPublishesAVerifiedSnapshotWithATraceFile() throws Exception {
    SyncAgent a = agent(3);
    SyncReport r = a.runOnce();
    assertThat(r.problems()).isEmpty();
    assertThat(r.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    assertThat(a.store().current()).contains(r.snapshot());
    assertThat(r.ids().get("bookworm")).isEqualTo(upstream.result.snapshot());
    assertThat(r.received()).isGreaterThan(40);
    assertThat(r.verifications().get(0).counts().poolBytesHashed())
        .isEqualTo(upstream.result.poolBytes());
    String trace =
        Files.readString(r.snapshot().resolve("project/trace/node-a"), StandardCharsets.UTF_8);
    assertThat(trace)
        .contains("Running on host: node-a")
        .contains("Upstream-mirror: " + daemon.url());
    assertThat(a.lockFile()).doesNotExist();
    assertThat(dir.resolve("mirror/current")).isSymbolicLink();
  }

  @Test
  void anIncrementalSyncLinksUnchangedFilesAndHashesOnlyWhatArrived() throws Exception {
    SyncAgent a = agent(3);
    SyncReport first = a.runOnce();
    updateUpstream(10);
    SyncReport second = a.runOnce();
    assertThat(second.problems()).isEmpty();
    assertThat(second.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    assertThat(second.snapshot()).isNotEqualTo(first.snapshot());
    assertThat(second.ids().get("bookworm")).isNotEqualTo(first.ids().get("bookworm"));
    assertThat(a.store().current()).contains(second.snapshot());
    assertThat(a.store().list()).containsExactly(first.snapshot(), second.snapshot());
    assertThat(second.received()).isLessThan(first.received());
    assertThat(second.verifications().get(0).counts().poolBytesHashed())
        .isLessThan(upstream.result.poolBytes());
    Path unchanged;
    try (Stream<Path> files = Files.walk(first.snapshot().resolve("pool"))) {
      unchanged =
          files
              .filter(p -> p.toString().endsWith(".deb"))
              .filter(p -> Files.exists(second.snapshot().resolve(first.snapshot().relativize(p))))
              .findFirst()
              .orElseThrow();
    }
    Path same = second.snapshot().resolve(first.snapshot().relativize(unchanged));
    assertThat(Files.isSameFile(unchanged, same)).as("unchanged files are hard links").isTrue();
  }

  @Test
  void aCorruptUpstreamIsNeverPublishedAndTheCurrentSnapshotStays() throws Exception {
    SyncAgent a = agent(3);
    SyncReport good = a.runOnce();
    updateUpstream(10);
    // The upstream now serves a new pool file whose bytes do not match its index (same size).
    Path newest;
    try (Stream<Path> s = Files.walk(upstream.root.resolve("pool"))) {
      newest =
          s.filter(p -> p.toString().endsWith(".deb"))
              .filter(p -> !Files.exists(good.snapshot().resolve(upstream.root.relativize(p))))
              .findFirst()
              .orElseThrow();
    }
    byte[] b = Files.readAllBytes(newest);
    b[b.length / 2] ^= 1;
    Files.write(newest, b);
    SyncReport bad = a.runOnce();
    assertThat(bad.outcome()).isEqualTo(SyncReport.Outcome.REJECTED);
    assertThat(bad.problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("POOL " + upstream.root.relativize(newest))
                    .contains("SHA256 differs"));
    assertThat(a.store().current()).contains(good.snapshot());
    assertThat(a.store().list()).containsExactly(good.snapshot());
    try (Stream<Path> s = Files.list(dir.resolve("mirror/snapshots"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".partial"))).isEmpty();
    }
  }

  @Test
  void aBadSignatureUpstreamIsRejected() throws Exception {
    String in = Files.readString(upstream.dists("InRelease"));
    Files.writeString(
        upstream.dists("InRelease"), in.replace("Label: Mirror Director", "Label: Evil Director"));
    SyncReport r = agent(3).runOnce();
    assertThat(r.outcome()).isEqualTo(SyncReport.Outcome.REJECTED);
    assertThat(r.problems())
        .anySatisfy(p -> assertThat(p).contains("SIGNATURE").contains("BAD signature"));
    assertThat(agent(3).store().current()).isEmpty();
  }

  @Test
  void aStaleLockIsTakenOverAndALiveOneIsRespected() throws Exception {
    SyncAgent a = agent(3);
    Files.createDirectories(dir.resolve("mirror"));
    Files.writeString(a.lockFile(), "999999\n");
    assertThat(a.runOnce().outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    Files.writeString(a.lockFile(), ProcessHandle.current().pid() + "\n");
    SyncReport locked = a.runOnce();
    assertThat(locked.outcome()).isEqualTo(SyncReport.Outcome.LOCKED);
    assertThat(locked.problems().get(0))
        .contains("is held by live process " + ProcessHandle.current().pid());
    assertThat(a.lockFile()).exists();
  }

  @Test
  void onlyTheLastKSnapshotsAreKept() throws Exception {
    SyncAgent a = agent(2);
    for (int i = 0; i < 3; i++) {
      if (i > 0) {
        updateUpstream(5);
      }
      assertThat(a.runOnce().outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
      Thread.sleep(1100); // snapshot names have a one-second resolution
    }
    assertThat(a.store().list()).hasSize(2);
    assertThat(a.store().current()).contains(a.store().list().get(1));
    // The retired snapshot was renamed away at once and its files are deleted in the background.
    assertThat(a.awaitHousekeeping(java.time.Duration.ofSeconds(30))).isTrue();
    try (Stream<Path> s = Files.list(dir.resolve("mirror/snapshots"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .hasSize(2)
          .noneMatch(n -> n.startsWith("."));
    }
    // A deletion cut short (the process died) is finished by the next run.
    Path leftover = dir.resolve("mirror/snapshots/.deleting-20000101T000000Z/pool/x");
    Files.createDirectories(leftover);
    Files.writeString(leftover.resolve("y.deb"), "y");
    a.runOnce();
    assertThat(dir.resolve("mirror/snapshots/.deleting-20000101T000000Z")).doesNotExist();
  }

  @Test
  void anUnreachableUpstreamFailsWithoutTouchingTheCurrentSnapshot() throws Exception {
    SyncAgent a = agent(3);
    SyncReport good = a.runOnce();
    daemon.close();
    SyncReport r = a.runOnce();
    assertThat(r.outcome()).isEqualTo(SyncReport.Outcome.FAILED);
    assertThat(r.problems().get(0))
        .startsWith("cannot list the upstream: rsync --list-only " + daemon.url() + " exited");
    assertThat(a.store().current()).contains(good.snapshot());
  }

  @Test
  void itWaitsWhileTheUpstreamIsMidUpdateAndCopiesNoLockFile() throws Exception {
    Path lock = upstream.root.resolve("Archive-Update-in-Progress-master");
    Files.writeString(lock, "4242\n");
    SyncConfig base =
        SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a");
    SyncReport busy =
        new SyncAgent(base.withUpstreamBusy(java.time.Duration.ofMillis(200), 3), upstream.keys())
            .runOnce();
    assertThat(busy.outcome()).isEqualTo(SyncReport.Outcome.FAILED);
    assertThat(busy.problems())
        .containsExactly(
            "the upstream is being updated (Archive-Update-in-Progress-master present after 3 look(s))");
    assertThat(new SnapshotStore(dir.resolve("mirror")).current()).isEmpty();

    Thread remover =
        new Thread(
            () -> {
              try {
                Thread.sleep(700);
                Files.delete(lock);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    remover.start();
    SyncReport r =
        new SyncAgent(base.withUpstreamBusy(java.time.Duration.ofMillis(300), 20), upstream.keys())
            .runOnce();
    remover.join();
    assertThat(r.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    assertThat(r.snapshot().resolve("Archive-Update-in-Progress-master")).doesNotExist();
  }

  /** Runs a sync in the background, SIGKILLs its rsync once one with {@code marker} runs. */
  private SyncReport killRsyncDuring(SyncAgent a, String marker) throws Exception {
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

  @Test
  void rsyncKilledInStageOneOrTwoPublishesNothingAndTheNextRunRecovers() throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncConfig base = SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a");
    SyncAgent slow =
        new SyncAgent(base.withRsyncExtraArgs(List.of("--bwlimit=100")), upstream.keys());
    SyncReport killed1 = killRsyncDuring(slow, "--exclude=Packages*");
    assertThat(killed1.outcome()).isEqualTo(SyncReport.Outcome.FAILED);
    assertThat(killed1.problems().get(0)).startsWith("stage 1 (pool): rsync exited");
    assertThat(slow.store().current()).isEmpty();

    SyncAgent fast = new SyncAgent(base, upstream.keys());
    SyncReport good = fast.runOnce();
    assertThat(good.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);

    updateUpstream(2);
    SyncAgent slowIndexes =
        new SyncAgent(base.withRsyncExtraArgs(List.of("--bwlimit=10")), upstream.keys());
    SyncReport killed2 = killRsyncDuring(slowIndexes, "--delete-delay");
    assertThat(killed2.outcome()).isEqualTo(SyncReport.Outcome.FAILED);
    assertThat(killed2.problems().get(0)).startsWith("stage 2 (indexes): rsync exited");
    assertThat(fast.store().current()).contains(good.snapshot());
    assertThat(fast.store().list()).containsExactly(good.snapshot());

    SyncReport recovered = fast.runOnce();
    assertThat(recovered.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    assertThat(recovered.ids().get("bookworm")).isNotEqualTo(good.ids().get("bookworm"));
  }

  @Test
  void linkedFilesAreRecalledNotReadAndTheRollingRehashRepairsBitRot() throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncConfig base = SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a");
    SyncAgent monthly = new SyncAgent(base, upstream.keys());
    SyncReport first = monthly.runOnce();
    assertThat(first.verifications().get(0).counts().poolBytesHashed())
        .isEqualTo(upstream.result.poolBytes());
    assertThat(mirror.resolve(".state/hash-cache")).exists();

    // Bit rot in a pool file every snapshot shares: same inode, size and mtime, one byte flipped.
    Path rotten;
    try (Stream<Path> files = Files.walk(first.snapshot().resolve("pool"))) {
      rotten =
          files
              .filter(p -> p.toString().endsWith(".deb"))
              .filter(p -> p.toFile().length() > 100)
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    String rel = first.snapshot().relativize(rotten).toString();
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(rotten);
    byte[] good = Files.readAllBytes(rotten);
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x40;
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(rotten, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bad));
    }
    Files.setLastModifiedTime(rotten, mtime);

    // A new agent with a month's period trusts its cache: nothing re-read, the rot is not seen.
    SyncReport trusting = new SyncAgent(base, upstream.keys()).runOnce();
    assertThat(trusting.outcome()).isEqualTo(SyncReport.Outcome.UNCHANGED);
    assertThat(trusting.snapshot()).isEqualTo(first.snapshot());
    assertThat(trusting.repaired()).isEmpty();
    assertThat(trusting.verifications().get(0).counts().poolBytesHashed())
        .isLessThan(upstream.result.poolBytes() / 2);

    // Re-hash everything (period zero): the rot is found, the file fetched again, and published.
    SyncReport rehash =
        new SyncAgent(base.withRehashPeriod(java.time.Duration.ZERO), upstream.keys()).runOnce();
    assertThat(rehash.problems()).isEmpty();
    assertThat(rehash.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    assertThat(rehash.repaired()).containsExactly(rel);
    assertThat(rehash.rehashed()).isEqualTo(40);
    assertThat(Files.readAllBytes(rehash.snapshot().resolve(rel))).isEqualTo(good);
    assertThat(Files.isSameFile(rehash.snapshot().resolve(rel), rotten)).isFalse();
  }

  @Test
  void theNewIndexesListenerSeesAnInReleaseChangedWithinTheSameSecondAtTheSameSize()
      throws Exception {
    Path mirror = dir.resolve("mirror");
    SyncConfig base = SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a");
    SyncAgent agent = new SyncAgent(base, upstream.keys());
    assertThat(agent.runOnce().outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
    // The upstream's InRelease changes, same size, same mtime: rsync's quick check would take it
    // for the previous snapshot's and link that one.
    Path in = upstream.dists("InRelease");
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(in);
    byte[] before = Files.readAllBytes(in);
    byte[] changed = before.clone();
    int at = new String(before, java.nio.charset.StandardCharsets.US_ASCII).indexOf("Date: ") + 8;
    changed[at] = (byte) (changed[at] == '1' ? '2' : '1');
    try {
      Files.write(in, changed);
      Files.setLastModifiedTime(in, mtime);
      java.util.concurrent.atomic.AtomicReference<byte[]> seen =
          new java.util.concurrent.atomic.AtomicReference<>();
      agent.onNewIndexes(
          tree -> {
            try {
              seen.set(Files.readAllBytes(tree.resolve("dists/bookworm/InRelease")));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      SyncReport r = agent.runOnce();
      assertThat(seen.get())
          .as("the listener's InRelease is the upstream's new one")
          .isEqualTo(changed);
      assertThat(r.outcome())
          .as("its signature no longer matches: not published")
          .isNotEqualTo(SyncReport.Outcome.PUBLISHED);
    } finally {
      Files.write(in, before);
      Files.setLastModifiedTime(in, mtime);
    }
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
    assertThat(refused.outcome()).isEqualTo(SyncReport.Outcome.REFUSED);
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
    assertThat(second.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
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
    assertThat(next.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
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
      assertThat(r.outcome()).isEqualTo(SyncReport.Outcome.PUBLISHED);
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
    SyncAgent a = agent(3);
    SyncReport good = a.runOnce();
    updateUpstream(10);
    Path newest;
    try (Stream<Path> s = Files.walk(upstream.root.resolve("pool"))) {
      newest =
          s.filter(p -> p.toString().endsWith(".deb"))
              .filter(p -> !Files.exists(good.snapshot().resolve(upstream.root.relativize(p))))
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    long size = Files.size(newest);
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(newest, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size / 2);
    }
    SyncReport bad = a.runOnce();
    assertThat(bad.outcome()).isEqualTo(SyncReport.Outcome.REJECTED);
    assertThat(bad.problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("POOL " + upstream.root.relativize(newest))
                    .contains("size differs")
                    .contains("expected " + size + ", found " + size / 2));
    assertThat(a.store().current()).contains(good.snapshot());
  }
}
