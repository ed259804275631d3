package org.mirrordirector.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent is SIGKILLed at random moments (in rsync, in verification, in publishing); after every
 * kill, {@code current} is absent or a complete snapshot that verifies, and the next run recovers.
 * Rounds: {@code -Dmd.synccrash.rounds} (default 8); seed {@code -Dmd.synccrash.seed}.
 */
class SyncCrashTest {
  private static final Logger LOG = LoggerFactory.getLogger(SyncCrashTest.class);

  @TempDir Path dir;

  @Test
  void aKilledAgentNeverLeavesAnIncompleteSnapshotCurrent() throws Exception {
    int rounds = Integer.getInteger("md.synccrash.rounds", 8);
    long seed = Long.getLong("md.synccrash.seed", System.nanoTime());
    LOG.info("sync crash test: {} rounds, seed {}", rounds, seed);
    Random rnd = new Random(seed);
    TestArchive upstream =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("upstream"), 60, 5).withByHash(true));
    Path mirror = dir.resolve("mirror");
    int killedMidRun = 0;
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent agent =
          new SyncAgent(
              SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "node-a"), upstream.keys());
      for (int round = 1; round <= rounds; round++) {
        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 5)
                .withByHash(true)
                .withUpdateFrom(upstream.root, 5));
        Process p =
            new ProcessBuilder(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    SyncProcess.class.getName(),
                    daemon.url(),
                    mirror.toString(),
                    upstream.keyring.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent-" + round + ".log").toFile())
                .start();
        long delay = 300 + rnd.nextInt(2500);
        boolean finished = p.waitFor(delay, TimeUnit.MILLISECONDS);
        if (!finished) {
          // Kill the JVM and the rsync it runs, as a power cut would.
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
          killedMidRun++;
        }
        LOG.info("round {}: {} after {} ms", round, finished ? "finished" : "killed", delay);
        assertCurrentIsCompleteAndVerified(agent, upstream, "round " + round + ", seed " + seed);
        SyncReport recovery = agent.runOnce();
        assertThat(recovery.outcome())
            .as("recovery in round %d, seed %d: %s", round, seed, recovery.problems())
            .isIn(SyncOutcome.PUBLISHED, SyncOutcome.UNCHANGED);
        assertThat(recovery.ids().get("bookworm"))
            .as("recovery reaches the upstream's current InRelease")
            .isEqualTo(SnapshotId.ofInRelease(Files.readAllBytes(upstream.dists("InRelease"))));
        assertCurrentIsCompleteAndVerified(agent, upstream, "after recovery in round " + round);
      }
    }
    assertThat(killedMidRun).as("the test must actually kill agents mid-run").isGreaterThan(0);
  }

  private static void assertCurrentIsCompleteAndVerified(
      SyncAgent agent, TestArchive upstream, String when) throws Exception {
    Optional<Path> current = agent.store().current();
    if (current.isEmpty()) {
      assertThat(Files.exists(agent.store().root().resolve("current")))
          .as(when + ": a dangling current")
          .isFalse();
      return;
    }
    assertThat(current.get().getFileName().toString()).as(when).doesNotStartWith(".partial");
    assertThat(current.get().resolve("project/trace/node-a"))
        .as(when + ": the trace is written before publishing")
        .exists();
    VerificationReport v =
        new ArchiveVerifier(upstream.keys())
            .verify(
                new LocalArchiveSource(current.get()),
                VerifyOptions.defaults("bookworm").withPool(PoolCheck.HASH));
    assertThat(v.problems()).as(when).isEmpty();
  }
}
