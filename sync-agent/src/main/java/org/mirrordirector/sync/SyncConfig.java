package org.mirrordirector.sync;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.mirrordirector.sync.archive.PoolPaths;

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
    List<String> rsyncExtraArgs) {

  public SyncConfig {
    if (upstream == null
        || !(upstream.startsWith("rsync://") || upstream.contains("::"))
        || !upstream.endsWith("/")) {
      throw new IllegalArgumentException(
          "upstream must be an rsync source ending in '/', such as rsync://host/archive/: '"
              + upstream
              + "'");
    }
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
  }

  /**
   * Keep 3 snapshots, 10 minutes of rsync I/O timeout, rsync from PATH, the system clock; while the
   * upstream is mid-update, look again every 60 s, 10 times.
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
        List.of());
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
        rsyncExtraArgs);
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
        rsyncExtraArgs);
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
        args);
  }
}
