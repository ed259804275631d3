package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sync agent's runs that go well: first and incremental syncs, kept snapshots, locks, rehash.
 */
class SyncAgentTest extends SyncAgentFixture {
  @Test
  void theFirstSyncPublishesAVerifiedSnapshotWithATraceFile() throws Exception {
    SyncAgent a = agent(3);
    SyncReport r = a.runOnce();
    assertThat(r.problems()).isEmpty();
    assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
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
    assertThat(second.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
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
  void aStaleLockIsTakenOverAndALiveOneIsRespected() throws Exception {
    SyncAgent a = agent(3);
    Files.createDirectories(dir.resolve("mirror"));
    Files.writeString(a.lockFile(), "999999\n");
    assertThat(a.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    Files.writeString(a.lockFile(), ProcessHandle.current().pid() + "\n");
    SyncReport locked = a.runOnce();
    assertThat(locked.outcome()).isEqualTo(SyncOutcome.LOCKED);
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
      assertThat(a.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
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
  void itWaitsWhileTheUpstreamIsMidUpdateAndCopiesNoLockFile() throws Exception {
    Path lock = upstream.root.resolve("Archive-Update-in-Progress-master");
    Files.writeString(lock, "4242\n");
    SyncConfig base =
        SyncConfig.of(daemon.url(), dir.resolve("mirror"), List.of("bookworm"), "node-a");
    SyncReport busy =
        new SyncAgent(base.withUpstreamBusy(java.time.Duration.ofMillis(200), 3), upstream.keys())
            .runOnce();
    assertThat(busy.outcome()).isEqualTo(SyncOutcome.FAILED);
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
    assertThat(r.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
    assertThat(r.snapshot().resolve("Archive-Update-in-Progress-master")).doesNotExist();
  }

  /** Runs a sync in the background, SIGKILLs its rsync once one with {@code marker} runs. */
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
    assertThat(trusting.outcome()).isEqualTo(SyncOutcome.UNCHANGED);
    assertThat(trusting.snapshot()).isEqualTo(first.snapshot());
    assertThat(trusting.repaired()).isEmpty();
    assertThat(trusting.verifications().get(0).counts().poolBytesHashed())
        .isLessThan(upstream.result.poolBytes() / 2);

    // Re-hash everything (period zero): the rot is found, the file fetched again, and published.
    SyncReport rehash =
        new SyncAgent(base.withRehashPeriod(java.time.Duration.ZERO), upstream.keys()).runOnce();
    assertThat(rehash.problems()).isEmpty();
    assertThat(rehash.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
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
    assertThat(agent.runOnce().outcome()).isEqualTo(SyncOutcome.PUBLISHED);
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
          .isNotEqualTo(SyncOutcome.PUBLISHED);
    } finally {
      Files.write(in, before);
      Files.setLastModifiedTime(in, mtime);
    }
  }
}
