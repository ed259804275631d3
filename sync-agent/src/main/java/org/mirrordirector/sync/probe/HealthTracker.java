package org.mirrordirector.sync.probe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mirrordirector.failover.Payloads.Health;
import org.mirrordirector.failover.Payloads.SuiteState;

/**
 * Hysteresis: a mirror's reported health changes only after {@code confirmations} consecutive
 * probes agree on the new one, so that one lost packet does not take a mirror out and one lucky
 * answer does not bring a broken one back. The first probe of a mirror is taken as it is. The
 * snapshot is always the last one seen: it is a fact, not a judgement, and the director routes
 * InRelease only to mirrors whose snapshot is the current one.
 */
public final class HealthTracker {
  private final int confirmations;
  private final Map<String, Track> tracks = new ConcurrentHashMap<>();

  private static final class Track {
    Health reported;
    String reportedReason;
    Health candidate;
    int count;
    Long lastSuccessMillis;
  }

  public HealthTracker(int confirmations) {
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be at least 1: " + confirmations);
    }
    this.confirmations = confirmations;
  }

  /** Applies one observation and returns the state to publish. */
  public SuiteState apply(
      String mirror, String scheme, String suite, Observation o, long nowMillis) {
    Track t = tracks.computeIfAbsent(mirror + " " + scheme + " " + suite, k -> new Track());
    synchronized (t) {
      if (o.answered()) {
        t.lastSuccessMillis = nowMillis;
      }
      String reason;
      if (t.reported == null || o.health() == t.reported) {
        t.reported = o.health();
        t.reportedReason = o.reason();
        t.candidate = null;
        t.count = 0;
        reason = o.reason();
      } else {
        if (o.health() == t.candidate) {
          t.count++;
        } else {
          t.candidate = o.health();
          t.count = 1;
        }
        if (t.count >= confirmations) {
          t.reported = o.health();
          t.reportedReason = o.reason();
          t.candidate = null;
          t.count = 0;
          reason = o.reason();
        } else {
          reason =
              "still "
                  + t.reported
                  + " ("
                  + t.reportedReason
                  + "); "
                  + t.count
                  + " of "
                  + confirmations
                  + " probes say "
                  + o.health()
                  + ": "
                  + o.reason();
        }
      }
      return new SuiteState(
          o.snapshot(),
          t.reported,
          o.latencyMs(),
          t.lastSuccessMillis,
          reason,
          t.reported == Health.LAGGING ? o.lagMillis() : null,
          o.traceMillis());
    }
  }

  /** Forgets mirrors that are no longer configured. */
  public void retain(java.util.Set<String> mirrors) {
    tracks.keySet().removeIf(k -> !mirrors.contains(k.substring(0, k.indexOf(' '))));
  }
}
