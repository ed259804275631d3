package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

/**
 * What the prober found for one suite of a mirror over one scheme.
 *
 * @param snapshot the SHA-256 of the InRelease the mirror serves (null when none was read)
 * @param health the state after hysteresis
 * @param lagMillis for LAGGING, how long the mirror's snapshot has been superseded
 * @param reason why, in words, for the status page and the explain output
 * @param traceMillis the Date in the mirror's own trace file, when it has one
 */
public record SuiteState(
    String snapshot,
    Health health,
    Long latencyMs,
    Long lastSuccessMillis,
    String reason,
    Long lagMillis,
    Long traceMillis) {
  public SuiteState {
    require(health != null, "suite state: health is missing");
    require(
        snapshot == null || snapshot.matches("[0-9a-f]{64}"),
        "suite state: snapshot is not a SHA-256: '" + snapshot + "'");
    require(lagMillis == null || lagMillis >= 0, "suite state: negative lag " + lagMillis);
  }
}
