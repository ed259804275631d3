package org.mirrordirector.sync;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.mirrordirector.sync.archive.PoolPaths;
import org.mirrordirector.sync.archive.Selection;

/**
 * What a sync agent copies, where to, and how it checks it. Validated once.
 *
 * @param upstream an rsync source ending in '/', e.g. {@code rsync://host/archive/}
 * @param root the local root: {@code current}, {@code snapshots/}, the lock file
 * @param suites the suites to verify before publishing
 * @param host this host's name, in the lock and trace file names
 * @param keep how many complete snapshots to keep (the current one always stays)
 * @param rsyncTimeout I/O timeout of each rsync run
 * @param upstreamBusyWait how long to wait between looks while the upstream's own
 *     Archive-Update-in-Progress lock is present
 * @param upstreamBusyTries how many looks before giving up for this run
 * @param rsyncExtraArgs extra rsync options (e.g. --bwlimit), passed to both stages
 * @param rehashPeriod every pool file is hashed again within this time (rolling re-hash; zero
 *     re-hashes everything on every run)
 * @param minFreeBytes free space that must remain on the snapshot file system after the estimated
 *     new files; a run that would go below it is refused before it copies any pool file
 * @param selection what part of the archive is copied and verified (a partial mirror's):
 *     components, architectures, languages and extras, applied as rsync filters and to the checks
 * @param indexesOnly copy and verify {@code dists/} alone (signature, every index and stanza), no
 *     pool: a director replica's copy, enough to know every file of a snapshot
 */
public record SyncConfig(
    String upstream,
    Path root,
    List<String> suites,
    String host,
    int keep,
    Duration rsyncTimeout,
    String rsyncBinary,
    Clock clock,
    Duration upstreamBusyWait,
    int upstreamBusyTries,
    List<String> rsyncExtraArgs,
    Duration rehashPeriod,
    long minFreeBytes,
    Selection selection,
    boolean indexesOnly) {

  /** A full copy (pool and indexes). */
  public SyncConfig(
      String upstream,
      Path root,
      List<String> suites,
      String host,
      int keep,
      Duration rsyncTimeout,
      String rsyncBinary,
      Clock clock,
      Duration upstreamBusyWait,
      int upstreamBusyTries,
      List<String> rsyncExtraArgs,
      Duration rehashPeriod,
      long minFreeBytes,
      Selection selection) {
    this(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        selection,
        false);
  }

  public SyncConfig {
    checkUpstream(upstream);
    if (suites == null || suites.isEmpty()) {
      throw new IllegalArgumentException("at least one suite must be verified");
    }
    for (String s : suites) {
      if (PoolPaths.problem(s, false) != null || s.contains("/")) {
        throw new IllegalArgumentException("invalid suite '" + s + "'");
      }
    }
    suites = List.copyOf(suites);
    if (host == null || !host.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,252}")) {
      throw new IllegalArgumentException("invalid host name '" + host + "'");
    }
    if (keep < 1 || keep > 100) {
      throw new IllegalArgumentException("keep must be 1..100: " + keep);
    }
    if (upstreamBusyTries < 1) {
      throw new IllegalArgumentException(
          "upstreamBusyTries must be at least 1: " + upstreamBusyTries);
    }
    rsyncExtraArgs = List.copyOf(rsyncExtraArgs);
    if (rehashPeriod == null || rehashPeriod.isNegative()) {
      throw new IllegalArgumentException("rehashPeriod must be zero or more: " + rehashPeriod);
    }
    java.util.Objects.requireNonNull(selection, "selection");
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("minFreeBytes must not be negative: " + minFreeBytes);
    }
  }

  /**
   * Keep 3 snapshots, 10 minutes of rsync I/O timeout, rsync from PATH, the system clock; while the
   * upstream is mid-update, look again every 60 s, 10 times; re-hash every file within 30 days;
   * keep 1 GiB free.
   */
  public static SyncConfig of(String upstream, Path root, List<String> suites, String host) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        3,
        Duration.ofMinutes(10),
        "rsync",
        Clock.systemUTC(),
        Duration.ofSeconds(60),
        10,
        List.of(),
        Duration.ofDays(30),
        1L << 30,
        Selection.all());
  }

  /** Copies and verifies only this part of the archive: a partial mirror. */
  public SyncConfig withSelection(Selection sel) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        sel,
        indexesOnly);
  }

  public SyncConfig withKeep(int k) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        k,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        selection,
        indexesOnly);
  }

  public SyncConfig withUpstreamBusy(Duration wait, int tries) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        wait,
        tries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        selection,
        indexesOnly);
  }

  public SyncConfig withRsyncExtraArgs(List<String> args) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        args,
        rehashPeriod,
        minFreeBytes,
        selection,
        indexesOnly);
  }

  public SyncConfig withRehashPeriod(Duration period) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        period,
        minFreeBytes,
        selection,
        indexesOnly);
  }

  public SyncConfig withMinFreeBytes(long bytes) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        bytes,
        selection,
        indexesOnly);
  }

  public SyncConfig withClock(Clock c) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        c,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        selection,
        indexesOnly);
  }

  /** Copies and verifies the indexes alone, no pool: a director replica's copy. */
  public SyncConfig withIndexesOnly(boolean only) {
    return new SyncConfig(
        upstream,
        root,
        suites,
        host,
        keep,
        rsyncTimeout,
        rsyncBinary,
        clock,
        upstreamBusyWait,
        upstreamBusyTries,
        rsyncExtraArgs,
        rehashPeriod,
        minFreeBytes,
        selection,
        only);
  }

  /** Checks an rsync source; the message names the value. */
  public static String checkUpstream(String upstream) {
    if (upstream == null
        || !(upstream.startsWith("rsync://") || upstream.contains("::"))
        || !upstream.endsWith("/")
        || upstream.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new IllegalArgumentException(
          "upstream must be an rsync source ending in '/', such as rsync://host/archive/: '"
              + upstream
              + "'");
    }
    return upstream;
  }
}
