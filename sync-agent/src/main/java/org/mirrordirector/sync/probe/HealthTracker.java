package org.mirrordirector.sync.probe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.SuiteState;

/**
 * Hysteresis: a mirror's reported health changes only after {@code confirmations} consecutive
 * probes agree on the new one, so that one lost packet does not take a mirror out and one lucky
 * answer does not bring a broken one back. Some changes take effect at once: to SYNCING and to
 * BROKEN, which are not noise but content seen to be inconsistent (a sync lock, an InRelease ahead
 * of its indexes, a missing file), where one more round of clients sent there would get Hash Sum
 * mismatches or 404s; and to AHEAD from any answering state, a verified newer snapshot whose
 * clients need the mirror now. The first probe of a mirror is taken as it is.
 *
 * <p>The snapshot is the last one seen: it is a fact, not a judgement, and the director routes
 * InRelease only to mirrors whose snapshot is the current one. While a probe that read no InRelease
 * (a timeout, say) is not yet confirmed, the snapshot seen before it is kept with the health.
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
    String snapshot;
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
      boolean atOnce =
          o.health() == Health.SYNCING
              || o.health() == Health.BROKEN
              || (o.health() == Health.AHEAD && t.reported != Health.DOWN);
      if (t.reported == null || o.health() == t.reported || atOnce) {
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
      if (o.snapshot() != null || t.reported == o.health()) {
        t.snapshot = o.snapshot();
      }
      return new SuiteState(
          t.snapshot,
          t.reported,
          o.latencyMs(),
          t.lastSuccessMillis,
          reason,
          t.reported == Health.LAGGING ? o.lagMillis() : null,
          o.traceMillis());
    }
  }

  /**
   * True while a mirror is between states: never probed, SYNCING, or a change of health waiting for
   * its confirmations. Such a mirror is probed fully at every recheck, so that it comes back as
   * soon as it is consistent again.
   */
  public boolean unsettled(String mirror) {
    boolean any = false;
    for (Map.Entry<String, Track> e : tracks.entrySet()) {
      if (!e.getKey().startsWith(mirror + " ")) {
        continue;
      }
      any = true;
      Track t = e.getValue();
      synchronized (t) {
        if (t.reported == null || t.reported == Health.SYNCING || t.candidate != null) {
          return true;
        }
      }
    }
    return !any;
  }

  /** True when every probed suite of the mirror is reported DOWN. */
  public boolean down(String mirror) {
    boolean any = false;
    for (Map.Entry<String, Track> e : tracks.entrySet()) {
      if (!e.getKey().startsWith(mirror + " ")) {
        continue;
      }
      any = true;
      synchronized (e.getValue()) {
        if (e.getValue().reported != Health.DOWN) {
          return false;
        }
      }
    }
    return any;
  }

  /** Forgets mirrors that are no longer configured. */
  public void retain(java.util.Set<String> mirrors) {
    tracks.keySet().removeIf(k -> !mirrors.contains(k.substring(0, k.indexOf(' '))));
  }
}
