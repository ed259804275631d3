package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

/** One suite of a snapshot: the identity apt sees. */
public record SuiteSnapshot(String inReleaseSha256, long dateMillis) {
  public SuiteSnapshot {
    require(
        inReleaseSha256 != null && inReleaseSha256.matches("[0-9a-f]{64}"),
        "suite snapshot: InRelease hash is not a SHA-256: '" + inReleaseSha256 + "'");
  }
}
