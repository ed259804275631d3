package org.mirrordirector.ops.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Freshness, worked out from what the soak saw: for each publication of the upstream, how long
 * until (a) the registry's current snapshot, (b) the InRelease the service gives a client, (c) half
 * and all of the mirrors' own InRelease were that version or a newer one. A version seen is the
 * publication whose InRelease has its SHA-256.
 */
public final class SoakFigures {

  private final Map<String, Integer> versions = new java.util.HashMap<>();
  private final List<long[]> outages;

  /**
   * @param known every publication (version, time, InRelease)
   * @param outages when the upstream was down: {start, end} in epoch ms
   */
  public SoakFigures(List<PublishedVersion> known, List<long[]> outages) {
    for (PublishedVersion p : known) {
      versions.put(p.sha(), p.version());
    }
    this.outages = List.copyOf(outages);
  }

  /** How much of {@code [from, to]} the upstream was down. */
  public long downDuring(long from, long to) {
    long down = 0;
    for (long[] o : outages) {
      down += Math.max(0, Math.min(to, o[1]) - Math.max(from, o[0]));
    }
    return down;
  }

  /** The version an InRelease is, or -1 when the upstream never published it. */
  public int version(String sha) {
    return versions.getOrDefault(sha, -1);
  }

  /** When a version at least {@code v} was first seen in {@code seen}, or -1. */
  public long reached(List<SeenAt> seen, int v) {
    for (SeenAt s : seen) {
      if (version(s.what()) >= v) {
        return s.millis();
      }
    }
    return -1;
  }

  public Freshness freshness(
      PublishedVersion p,
      List<SeenAt> current,
      List<SeenAt> routed,
      Map<String, List<SeenAt>> mirrors) {
    List<Long> at = new ArrayList<>();
    for (List<SeenAt> m : mirrors.values()) {
      long t = reached(m, p.version());
      if (t >= 0) {
        at.add(t);
      }
    }
    Collections.sort(at);
    int half = (mirrors.size() + 1) / 2;
    long r = since(p, reached(routed, p.version()));
    return new Freshness(
        p.version(),
        since(p, reached(current, p.version())),
        r,
        r < 0 ? -1 : r - downDuring(p.atMillis(), p.atMillis() + r),
        at.size() >= half && half > 0 ? since(p, at.get(half - 1)) : -1,
        at.size() == mirrors.size() && !at.isEmpty() ? since(p, at.get(at.size() - 1)) : -1);
  }

  private static long since(PublishedVersion p, long t) {
    return t < 0 ? -1 : Math.max(0, t - p.atMillis());
  }

  /** Values seen that the upstream never published (a snapshot no one signed, or garbage). */
  public int unknown(List<SeenAt> seen) {
    int n = 0;
    for (SeenAt s : seen) {
      if (version(s.what()) < 0) {
        n++;
      }
    }
    return n;
  }

  /** Times the value went back to an older version than one seen before it. */
  public int wentBack(List<SeenAt> seen) {
    int newest = -1;
    int back = 0;
    for (SeenAt s : seen) {
      int v = version(s.what());
      if (v >= 0 && v < newest) {
        back++;
      }
      newest = Math.max(newest, v);
    }
    return back;
  }

  /** The nearest-rank percentile of the values that are not -1, in seconds; NaN when none. */
  public static double percentile(List<Long> millis, double p) {
    List<Long> v = new ArrayList<>();
    for (long m : millis) {
      if (m >= 0) {
        v.add(m);
      }
    }
    if (v.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(v);
    int rank = (int) Math.ceil(p / 100.0 * v.size());
    return v.get(Math.max(0, rank - 1)) / 1000.0;
  }
}
