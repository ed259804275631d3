package org.mirrordirector.director;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Redirects per mirror over a sliding window (default 5 minutes, in one-second slots), for the
 * status page's "share of redirects" and the redirects-per-second chart. Lock-free on the request
 * path: one array increment per redirect.
 */
public final class RedirectStats {
  /** The key under which answers served by this node itself are counted. */
  public static final String LOCAL = "(director)";

  private final int seconds;
  private final LongSupplier clockSeconds;
  private final Map<String, RedirectWindow> windows = new ConcurrentHashMap<>();

  public RedirectStats(int windowSeconds, LongSupplier clockSeconds) {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("the window must be at least one second");
    }
    this.seconds = windowSeconds;
    this.clockSeconds = clockSeconds;
  }

  /** Five minutes on the system clock. */
  public static RedirectStats fiveMinutes() {
    return new RedirectStats(300, () -> System.currentTimeMillis() / 1000);
  }

  public void record(String mirror) {
    window(mirror).record();
  }

  /** A mirror's window (made at the first call). */
  public RedirectWindow window(String mirror) {
    RedirectWindow w = windows.get(mirror); // a plain read; the map grows rarely
    return w != null
        ? w
        : windows.computeIfAbsent(mirror, m -> new RedirectWindow(seconds, clockSeconds));
  }

  /** Redirects per mirror in the window (mirrors with none are left out). */
  public Map<String, Long> counts() {
    long now = clockSeconds.getAsLong();
    Map<String, Long> out = new TreeMap<>();
    windows.forEach(
        (m, w) -> {
          long n = w.sum(now);
          if (n > 0) {
            out.put(m, n);
          }
        });
    return out;
  }

  /** Each mirror's share of all redirects in the window, 0..1. */
  public Map<String, Double> shares() {
    Map<String, Long> c = counts();
    long total = c.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Double> out = new TreeMap<>();
    c.forEach((m, n) -> out.put(m, total == 0 ? 0.0 : (double) n / total));
    return out;
  }

  /** All redirects per second over the window, oldest first (the chart). */
  public long[] perSecond() {
    long now = clockSeconds.getAsLong();
    long[] out = new long[seconds];
    for (RedirectWindow w : windows.values()) {
      for (int k = 0; k < seconds; k++) {
        out[k] += w.at(now - seconds + 1 + k);
      }
    }
    return out;
  }
}
