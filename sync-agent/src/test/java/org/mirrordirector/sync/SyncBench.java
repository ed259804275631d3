package org.mirrordirector.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratedArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The sync figures of BENCHMARKS.md (issue 4), run by {@code ops/bench/sync-bench.sh}: a first sync
 * and verify of a generated suite through a real rsync daemon, a full re-verify (every pool file
 * hashed), then incremental syncs that each follow an update of {@code percent} of the packages,
 * with rsync's own time against the agent's (estimate, verify, publish, prune).
 *
 * <p>Arguments: work directory, packages, size scale, rounds, percent changed per round.
 */
public final class SyncBench {
  private SyncBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int packages = Integer.parseInt(args[1]);
    double scale = Double.parseDouble(args[2]);
    int rounds = Integer.parseInt(args[3]);
    double percent = Double.parseDouble(args[4]);
    Path upstream = work.resolve("upstream");
    Path keyring = work.resolve("key.asc");
    GeneratorOptions base =
        GeneratorOptions.small(upstream, packages, 60_000)
            .withComponents(List.of("main"))
            .withSizeScale(scale);
    if (!Files.exists(upstream.resolve("dists/bookworm/InRelease"))) {
      long t0 = System.nanoTime();
      GeneratedArchive r = ArchiveGenerator.generate(base);
      Files.write(keyring, r.key().publicKeyArmored());
      System.out.printf(
          "generated %d packages, %d pool files, %.2f GB in %.0f s%n",
          packages, r.poolFiles(), r.poolBytes() / 1e9, (System.nanoTime() - t0) / 1e9);
    }
    TrustedKeys keys = TrustedKeys.load(keyring, List.of(), Sha1Policy.REJECT);
    Path mirror = work.resolve("mirror");
    if (Files.exists(mirror)) {
      try (Stream<Path> s = Files.walk(mirror)) {
        for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    try (RsyncDaemon daemon = new RsyncDaemon(work.resolve("rsyncd"), upstream)) {
      SyncAgent agent =
          new SyncAgent(SyncConfig.of(daemon.url(), mirror, List.of("bookworm"), "bench"), keys);
      SyncReport first = agent.runOnce();
      check(first);
      VerificationReport v0 = first.verifications().get(0);
      System.out.printf(
          "%nfirst sync: %d files received, %.2f GB hashed%n",
          first.received(), v0.counts().poolBytesHashed() / 1e9);
      System.out.printf(
          "  rsync %.1f s (stage 1 %.1f s, stage 2 %.1f s); estimate %.2f s, verify %.1f s,"
              + " publish %.3f s; total %.1f s%n",
          s(first.rsyncTime()),
          s(first.stage1()),
          s(first.stage2()),
          s(first.estimate()),
          s(first.verify()),
          s(first.publish()),
          s(first.rsyncTime().plus(first.agentTime())));

      long t0 = System.nanoTime();
      VerificationReport full =
          new ArchiveVerifier(keys)
              .verify(
                  new LocalArchiveSource(first.snapshot()),
                  VerifyOptions.defaults("bookworm").withPool(PoolCheck.HASH));
      Duration fullTime = Duration.ofNanos(System.nanoTime() - t0);
      if (!full.ok()) {
        throw new IllegalStateException("full re-verify failed: " + full.problems());
      }
      System.out.printf(
          "full re-verify (every index and pool file hashed, %.2f GB): %.1f s%n",
          full.counts().poolBytesHashed() / 1e9, s(fullTime));

      System.out.printf(
          "%n| round | files received | rsync | estimate | verify | publish | prune | agent |"
              + " agent/rsync | agent/full re-verify |%n|---|---|---|---|---|---|---|---|---|---|%n");
      List<Double> ratios = new ArrayList<>();
      List<Double> fullRatios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        ArchiveGenerator.generate(
            base.withUpdateFrom(upstream, percent)
                .withDate(
                    java.time.Instant.parse("2026-01-01T01:00:00Z").plusSeconds(3600L * round)));
        Thread.sleep(1100); // snapshot names have a one-second resolution
        SyncReport r = agent.runOnce();
        check(r);
        double ratio = s(r.agentTime()) / s(r.rsyncTime());
        double fullRatio = s(r.agentTime()) / s(fullTime);
        ratios.add(ratio);
        fullRatios.add(fullRatio);
        System.out.printf(
            "| %d | %d | %.2f s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.1f %% | %.1f %% |%n",
            round,
            r.received(),
            s(r.rsyncTime()),
            s(r.estimate()),
            s(r.verify()),
            s(r.publish()),
            s(r.prune()),
            s(r.agentTime()),
            100 * ratio,
            100 * fullRatio);
      }
      if (ratios.isEmpty()) {
        return;
      }
      ratios.sort(null);
      fullRatios.sort(null);
      System.out.printf(
          "%nmedian agent/rsync %.1f %%, median agent/full re-verify %.1f %%%n",
          100 * ratios.get(ratios.size() / 2), 100 * fullRatios.get(fullRatios.size() / 2));
    }
  }

  private static void check(SyncReport r) {
    if (r.outcome() != SyncOutcome.PUBLISHED) {
      throw new IllegalStateException(r.outcome() + ": " + r.problems());
    }
  }

  private static double s(Duration d) {
    return d.toNanos() / 1e9;
  }
}
