package org.mirrordirector.sync.archive;

import java.util.Set;
import java.util.function.Function;

/** A verification whose indexes are checked and whose pool is not yet. */
public final class PendingVerification {
  private final Function<Set<String>, VerificationReport> poolPhase;

  PendingVerification(Function<Set<String>, VerificationReport> poolPhase) {
    this.poolPhase = poolPhase;
  }

  /**
   * Checks the pool files (once) and returns the whole report.
   *
   * @param alsoHash more pool paths to hash, as {@link VerifyOptions#alsoHash()} (what the sync
   *     received meanwhile)
   */
  public synchronized VerificationReport finish(Set<String> alsoHash) {
    return poolPhase.apply(Set.copyOf(alsoHash));
  }
}
