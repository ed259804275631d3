package org.mirrordirector.sync.archive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ArchiveVerifier} checks and how hard.
 *
 * @param suite the suite or codename, as a sources.list line names it
 * @param selection what part of the archive is checked (a partial mirror's): components,
 *     architectures, languages and extras; files the Release lists outside it are not required
 * @param pool how deep pool files are checked
 * @param notOlderThan the Date of the Release seen last, to refuse a rollback
 * @param maxClockSkew how far in the future a Date may be before it is an error
 * @param threads parallel workers for hashing and pool checks
 * @param maxReportedProblems problems kept in the report (all are counted)
 * @param alsoHash pool paths whose SHA-256 is checked even when {@code pool} is SIZE (the files a
 *     sync has just received)
 * @param memory when present, pool files are hashed unless it recalls the very file with the
 *     promised SHA-256 (whatever {@code pool} says beyond SIZE), and every hash is remembered
 */
public record VerifyOptions(
    String suite,
    Selection selection,
    PoolCheck pool,
    Optional<Instant> notOlderThan,
    Duration maxClockSkew,
    Clock clock,
    int threads,
    int maxReportedProblems,
    java.util.Set<String> alsoHash,
    Optional<HashMemory> memory) {

  public VerifyOptions {
    if (suite == null || suite.isBlank() || PoolPaths.problem(suite, false) != null) {
      throw new IllegalArgumentException("invalid suite name '" + suite + "'");
    }
    java.util.Objects.requireNonNull(selection, "selection");
    alsoHash = java.util.Set.copyOf(alsoHash);
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be 1..256: " + threads);
    }
    if (maxReportedProblems < 1) {
      throw new IllegalArgumentException("maxReportedProblems must be positive");
    }
    if (maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("maxClockSkew must not be negative");
    }
  }

  /** Everything in the suite, pool by size, a minute of clock skew, one thread per core. */
  public static VerifyOptions defaults(String suite) {
    return new VerifyOptions(
        suite,
        Selection.all(),
        PoolCheck.SIZE,
        Optional.empty(),
        Duration.ofMinutes(1),
        Clock.systemUTC(),
        Runtime.getRuntime().availableProcessors(),
        100,
        java.util.Set.of(),
        Optional.empty());
  }

  public VerifyOptions withPool(PoolCheck p) {
    return new VerifyOptions(
        suite,
        selection,
        p,
        notOlderThan,
        maxClockSkew,
        clock,
        threads,
        maxReportedProblems,
        alsoHash,
        memory);
  }

  public VerifyOptions withComponents(List<String> c) {
    return withSelection(selection.withComponents(c));
  }

  public VerifyOptions withArchitectures(List<String> a) {
    return withSelection(selection.withArchitectures(a));
  }

  public VerifyOptions withSelection(Selection sel) {
    return new VerifyOptions(
        suite,
        sel,
        pool,
        notOlderThan,
        maxClockSkew,
        clock,
        threads,
        maxReportedProblems,
        alsoHash,
        memory);
  }

  public VerifyOptions withNotOlderThan(Instant previousDate) {
    return new VerifyOptions(
        suite,
        selection,
        pool,
        Optional.of(previousDate),
        maxClockSkew,
        clock,
        threads,
        maxReportedProblems,
        alsoHash,
        memory);
  }

  public VerifyOptions withClock(Clock c) {
    return new VerifyOptions(
        suite,
        selection,
        pool,
        notOlderThan,
        maxClockSkew,
        c,
        threads,
        maxReportedProblems,
        alsoHash,
        memory);
  }

  public VerifyOptions withAlsoHash(java.util.Set<String> paths) {
    return new VerifyOptions(
        suite,
        selection,
        pool,
        notOlderThan,
        maxClockSkew,
        clock,
        threads,
        maxReportedProblems,
        paths,
        memory);
  }

  public VerifyOptions withThreads(int t) {
    return new VerifyOptions(
        suite,
        selection,
        pool,
        notOlderThan,
        maxClockSkew,
        clock,
        t,
        maxReportedProblems,
        alsoHash,
        memory);
  }

  public VerifyOptions withMemory(HashMemory m) {
    return new VerifyOptions(
        suite,
        selection,
        pool,
        notOlderThan,
        maxClockSkew,
        clock,
        threads,
        maxReportedProblems,
        alsoHash,
        Optional.of(m));
  }
}
