package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.Problem;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an upstream archive into a new snapshot and publishes it only if it verifies.
 *
 * <ol>
 *   <li>Lock ({@code Archive-Update-in-Progress-HOST}; a stale lock of a dead PID is taken over).
 *   <li>Stage 1, as ftpsync: everything but the indexes (pool, by-hash), deleting nothing.
 *   <li>Stage 2: everything, deletions and updates delayed to the end. Both stages build a new tree
 *       with {@code --link-dest} on the current snapshot, so unchanged files cost a link.
 *   <li>Verify every configured suite: signature, indexes, stanzas, every pool file's size, and the
 *       SHA-256 of every file this run received.
 *   <li>Write the trace file, rename the tree into place, swap {@code current} (rename(2)), and
 *       prune to the last K snapshots. A run that fails anywhere before the swap leaves the current
 *       snapshot exactly as it was.
 * </ol>
 */
public final class SyncAgent {
  private static final Logger LOG = LoggerFactory.getLogger(SyncAgent.class);
  private static final List<String> INDEX_EXCLUDES =
      List.of("Packages*", "Sources*", "Release*", "InRelease", "i18n/", "Contents*");

  private final SyncConfig config;
  private final TrustedKeys keys;
  private final SnapshotStore store;
  private final Rsync rsync;

  public SyncAgent(SyncConfig config, TrustedKeys keys) {
    this.config = config;
    this.keys = keys;
    this.store = new SnapshotStore(config.root());
    this.rsync = new Rsync(config.rsyncBinary(), config.rsyncTimeout());
  }

  public SnapshotStore store() {
    return store;
  }

  public Path lockFile() {
    return config.root().resolve("Archive-Update-in-Progress-" + config.host());
  }

  /** One sync; never throws for a bad upstream, only reports. */
  public SyncReport runOnce() throws IOException, InterruptedException {
    Files.createDirectories(config.root());
    Optional<LockFile> lock = LockFile.acquire(lockFile());
    if (lock.isEmpty()) {
      return notStarted(
          SyncReport.Outcome.LOCKED,
          lockFile()
              + " is held by live process "
              + LockFile.holder(lockFile()).map(String::valueOf).orElse("?"));
    }
    try (LockFile held = lock.get()) {
      return sync();
    }
  }

  private SyncReport sync() throws IOException, InterruptedException {
    for (Path p : store.removePartials()) {
      LOG.warn("[{}] removed {} left by an interrupted sync", config.host(), p);
    }
    Optional<String> busy = waitForUpstream();
    if (busy.isPresent()) {
      return notStarted(SyncReport.Outcome.FAILED, busy.get());
    }
    Optional<Path> previous = store.current();
    Path partial = store.newPartial(config.clock().instant());
    boolean published = false;
    try {
      List<String> common = new ArrayList<>(List.of("-rlptH", "--safe-links", "--numeric-ids"));
      common.addAll(config.rsyncExtraArgs());
      // Never copy an upstream's or our own lock file into a snapshot.
      common.add("--exclude=/Archive-Update-in-Progress-*");
      previous.ifPresent(p -> common.add("--link-dest=" + p));
      List<String> stage1 = new ArrayList<>(common);
      for (String x : INDEX_EXCLUDES) {
        stage1.add("--exclude=" + x);
      }
      stage1.add(config.upstream());
      stage1.add(partial + "/");
      Rsync.Result r1 = rsync.run(stage1);
      if (!r1.ok()) {
        return failed(partial, "stage 1 (pool): " + r1.describe(), r1.elapsed(), Duration.ZERO);
      }
      List<String> stage2 = new ArrayList<>(common);
      stage2.addAll(List.of("--delete-delay", "--delay-updates"));
      stage2.add(config.upstream());
      stage2.add(partial + "/");
      Rsync.Result r2 = rsync.run(stage2);
      if (!r2.ok()) {
        return failed(partial, "stage 2 (indexes): " + r2.describe(), r1.elapsed(), r2.elapsed());
      }
      // rsync's quick check (size and mtime to the second) can take an index for unchanged and
      // link the previous snapshot's copy: a Release regenerated within the same second at the
      // same size. The indexes are small and decide everything, so compare them by content.
      List<String> stage3 = new ArrayList<>(List.of("-rlpt", "--checksum", "--delete"));
      stage3.addAll(config.rsyncExtraArgs());
      stage3.add(config.upstream() + "dists/");
      stage3.add(partial + "/dists/");
      Rsync.Result r3 = rsync.run(stage3);
      if (!r3.ok()) {
        return failed(
            partial,
            "stage 2 (indexes by checksum): " + r3.describe(),
            r1.elapsed(),
            r2.elapsed().plus(r3.elapsed()));
      }
      Duration stage2Time = r2.elapsed().plus(r3.elapsed());
      Set<String> received = new HashSet<>(r1.received());
      received.addAll(r2.received());

      long t0 = System.nanoTime();
      Map<String, SnapshotId> ids = new LinkedHashMap<>();
      List<VerificationReport> reports = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (String suite : config.suites()) {
        VerifyOptions o =
            VerifyOptions.defaults(suite).withClock(config.clock()).withAlsoHash(received);
        VerificationReport v = new ArchiveVerifier(keys).verify(new LocalArchiveSource(partial), o);
        reports.add(v);
        v.snapshot().ifPresent(id -> ids.put(suite, id));
        for (Problem p : v.problems()) {
          problems.add(suite + ": " + p);
        }
        if (v.problemCount() > v.problems().size()) {
          problems.add(suite + ": ... and " + (v.problemCount() - v.problems().size()) + " more");
        }
      }
      Duration verify = Duration.ofNanos(System.nanoTime() - t0);
      if (!problems.isEmpty()) {
        LOG.warn(
            "[{}] the copy of {} did not verify; the current snapshot stays: {}",
            config.host(),
            config.upstream(),
            problems.get(0));
        SnapshotStore.deleteTree(partial);
        return report(
            SyncReport.Outcome.REJECTED,
            null,
            ids,
            received.size(),
            r1.elapsed(),
            stage2Time,
            verify,
            Duration.ZERO,
            problems,
            reports);
      }

      long t1 = System.nanoTime();
      writeTrace(partial, r1, r2);
      Path done = store.publish(partial);
      published = true;
      for (Path old : store.prune(config.keep())) {
        LOG.info("[{}] pruned snapshot {}", config.host(), old.getFileName());
      }
      Duration publish = Duration.ofNanos(System.nanoTime() - t1);
      LOG.info(
          "[{}] published snapshot {} ({} files received)",
          config.host(),
          done.getFileName(),
          received.size());
      return report(
          SyncReport.Outcome.PUBLISHED,
          done,
          ids,
          received.size(),
          r1.elapsed(),
          stage2Time,
          verify,
          publish,
          List.of(),
          reports);
    } finally {
      if (!published && Files.exists(partial)) {
        SnapshotStore.deleteTree(partial);
      }
    }
  }

  /**
   * Waits while the upstream shows its own Archive-Update-in-Progress lock (a half-updated upstream
   * must not be copied); returns why it gave up, or empty when the upstream is quiet.
   */
  private Optional<String> waitForUpstream() throws InterruptedException {
    String why = null;
    for (int look = 1; look <= config.upstreamBusyTries(); look++) {
      try {
        List<String> locks =
            rsync.listTop(config.upstream()).stream()
                .filter(n -> n.startsWith("Archive-Update-in-Progress-"))
                .toList();
        if (locks.isEmpty()) {
          return Optional.empty();
        }
        why =
            "the upstream is being updated ("
                + String.join(", ", locks)
                + " present after "
                + look
                + " look(s))";
      } catch (IOException e) {
        return Optional.of("cannot list the upstream: " + e.getMessage());
      }
      if (look < config.upstreamBusyTries()) {
        LOG.info("[{}] {}; looking again in {}", config.host(), why, config.upstreamBusyWait());
        Thread.sleep(config.upstreamBusyWait().toMillis());
      }
    }
    return Optional.of(why);
  }

  private SyncReport failed(Path partial, String why, Duration s1, Duration s2) throws IOException {
    LOG.warn("[{}] sync from {} failed: {}", config.host(), config.upstream(), why);
    SnapshotStore.deleteTree(partial);
    return report(
        SyncReport.Outcome.FAILED,
        null,
        Map.of(),
        0,
        s1,
        s2,
        Duration.ZERO,
        Duration.ZERO,
        List.of(why),
        List.of());
  }

  /** The ftpsync trace file, written (tmp + rename) only after both stages succeeded. */
  private void writeTrace(Path tree, Rsync.Result r1, Rsync.Result r2) throws IOException {
    Instant now = config.clock().instant();
    String trace =
        "Date: "
            + Rfc2822Dates.format(now)
            + "\n"
            + "Date-Started: "
            + Rfc2822Dates.format(now.minus(r1.elapsed()).minus(r2.elapsed()))
            + "\n"
            + "Archive serial: "
            + tree.getFileName().toString().replace(".partial-", "")
            + "\n"
            + "Creator: mirrordirector sync-agent\n"
            + "Running on host: "
            + config.host()
            + "\n"
            + "Upstream-mirror: "
            + config.upstream()
            + "\n"
            + "Total time spent in stage1 rsync: "
            + r1.elapsed().toSeconds()
            + "\n"
            + "Total time spent in stage2 rsync: "
            + r2.elapsed().toSeconds()
            + "\n";
    Path dir = tree.resolve("project/trace");
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + config.host() + ".new");
    Files.writeString(tmp, trace, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dir.resolve(config.host()),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** A run that stopped before copying anything. */
  private static SyncReport notStarted(SyncReport.Outcome o, String why) {
    return report(
        o,
        null,
        Map.of(),
        0,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        List.of(why),
        List.of());
  }

  private static SyncReport report(
      SyncReport.Outcome o,
      Path snapshot,
      Map<String, SnapshotId> ids,
      int received,
      Duration s1,
      Duration s2,
      Duration verify,
      Duration publish,
      List<String> problems,
      List<VerificationReport> reports) {
    return new SyncReport(o, snapshot, ids, received, s1, s2, verify, publish, problems, reports);
  }
}
