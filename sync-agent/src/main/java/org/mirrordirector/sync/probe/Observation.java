package org.mirrordirector.sync.probe;

import org.mirrordirector.failover.Health;

/**
 * What one probe of one suite of a mirror over one scheme found, before hysteresis.
 *
 * @param snapshot the SHA-256 of the InRelease served, or null when none was read
 * @param latencyMs the time to the InRelease response, or null when there was none
 * @param lagMillis for LAGGING, how long the mirror's snapshot has been superseded
 * @param traceMillis the Date of the mirror's trace file, when it has one
 * @param answered true when the mirror answered the InRelease request with a usable file
 */
public record Observation(
    Health health,
    String snapshot,
    Long latencyMs,
    String reason,
    Long lagMillis,
    Long traceMillis,
    boolean answered) {

  static Observation down(String reason, Long latencyMs) {
    return new Observation(Health.DOWN, null, latencyMs, reason, null, null, false);
  }
}
