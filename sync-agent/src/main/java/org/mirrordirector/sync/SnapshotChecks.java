package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mirrordirector.sync.archive.ArchiveVerifier;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.PendingVerification;
import org.mirrordirector.sync.archive.PoolCheck;
import org.mirrordirector.sync.archive.Problem;
import org.mirrordirector.sync.archive.ProblemKind;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.archive.VerificationReport;
import org.mirrordirector.sync.archive.VerifyOptions;

/**
 * The verification of one sync run's new tree, suite by suite: the indexes early (while the pool is
 * still being copied), then the rest; and what came of it, the suites' snapshot ids and reports. An
 * index-only copy ({@link SyncConfig#indexesOnly()}) checks the signature, every index and stanza,
 * and no pool file: it holds none.
 */
final class SnapshotChecks {
  private final SyncConfig config;
  private final TrustedKeys keys;
  private final Map<String, SnapshotId> ids = new LinkedHashMap<>();
  private final List<VerificationReport> reports = new ArrayList<>();

  SnapshotChecks(SyncConfig config, TrustedKeys keys) {
    this.config = config;
    this.keys = keys;
  }

  /** The InRelease identity of each suite that verified, of the last check. */
  Map<String, SnapshotId> ids() {
    return ids;
  }

  /** Every suite's report, of the last check. */
  List<VerificationReport> reports() {
    return reports;
  }

  /** The index phase of each suite's verification (the pool is checked after the copy). */
  Map<String, PendingVerification> indexes(Path tree, HashCache cache) {
    Map<String, PendingVerification> m = new LinkedHashMap<>();
    for (String suite : config.suites()) {
      m.put(
          suite,
          new ArchiveVerifier(keys)
              .verifyIndexes(new LocalArchiveSource(tree), options(suite, cache)));
    }
    return m;
  }

  /** Ends the checks begun by {@link #indexes}; the problems, each naming its suite. */
  List<String> finish(Map<String, PendingVerification> pending, Set<String> received) {
    ids.clear();
    reports.clear();
    List<String> problems = new ArrayList<>();
    for (PendingVerification p : pending.values()) {
      collect(p.finish(received), problems);
    }
    return problems;
  }

  /** Checks the whole tree again; the SHA-256 of every file received is checked too. */
  List<String> all(Path tree, HashCache cache, Set<String> received) throws IOException {
    ids.clear();
    reports.clear();
    List<String> problems = new ArrayList<>();
    for (String suite : config.suites()) {
      collect(
          new ArchiveVerifier(keys)
              .verify(new LocalArchiveSource(tree), options(suite, cache).withAlsoHash(received)),
          problems);
    }
    return problems;
  }

  /**
   * The pool files that failed only because the local copy is bad: not received in this run, wrong
   * size or hash, and every problem of the run is of that kind (otherwise the upstream is at fault
   * and fetching again would not help).
   */
  List<String> repairable(Set<String> received) {
    List<String> paths = new ArrayList<>();
    for (VerificationReport v : reports) {
      if (v.problemCount() > v.problems().size()) {
        return List.of();
      }
      for (Problem p : v.problems()) {
        boolean local =
            p.kind() == ProblemKind.POOL
                && !received.contains(p.file())
                && (p.message().startsWith("SHA256 differs")
                    || p.message().startsWith("size differs"));
        if (!local) {
          return List.of();
        }
        paths.add(p.file());
      }
    }
    return paths;
  }

  private VerifyOptions options(String suite, HashCache cache) {
    VerifyOptions o =
        VerifyOptions.defaults(suite)
            .withSelection(config.selection())
            .withClock(config.clock())
            .withMemory(cache);
    return config.indexesOnly() ? o.withPool(PoolCheck.NONE) : o;
  }

  private void collect(VerificationReport v, List<String> problems) {
    reports.add(v);
    v.snapshot().ifPresent(id -> ids.put(v.suite(), id));
    for (Problem p : v.problems()) {
      problems.add(v.suite() + ": " + p);
    }
    if (v.problemCount() > v.problems().size()) {
      problems.add(v.suite() + ": ... and " + (v.problemCount() - v.problems().size()) + " more");
    }
  }
}
