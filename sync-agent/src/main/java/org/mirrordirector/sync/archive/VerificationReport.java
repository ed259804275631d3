package org.mirrordirector.sync.archive;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a verification found. {@code ok()} is the only verdict; the counts say how much was looked
 * at, so that "verified" never silently means "verified nothing".
 *
 * @param snapshot the SHA-256 of InRelease (or of Release where there is no InRelease)
 * @param problems the first problems found, at most the configured number
 * @param problemCount all problems found
 */
public record VerificationReport(
    String archive,
    String suite,
    Optional<SnapshotId> snapshot,
    Optional<String> codename,
    Optional<Instant> date,
    Optional<Instant> validUntil,
    Optional<GoodSignature> signature,
    VerificationCounts counts,
    List<Problem> problems,
    long problemCount,
    Duration elapsed) {

  public VerificationReport {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problemCount == 0;
  }
}
