package org.mirrordirector.director;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * One mirror's redirects over {@link RedirectStats}' window, in one-second slots; kept by a caller
 * that records many.
 */
public final class RedirectWindow {
  private final int seconds;
  private final LongSupplier clockSeconds;
  final AtomicLongArray counts;
  final AtomicLongArray stamps;

  RedirectWindow(int seconds, LongSupplier clockSeconds) {
    this.seconds = seconds;
    this.clockSeconds = clockSeconds;
    this.counts = new AtomicLongArray(seconds);
    this.stamps = new AtomicLongArray(seconds);
  }

  /** One redirect now. */
  public void record() {
    add(clockSeconds.getAsLong());
  }

  void add(long now) {
    int i = (int) Math.floorMod(now, (long) seconds);
    if (stamps.get(i) != now) {
      // A slot from an older second is reused: reset it (a race loses at most one count).
      stamps.set(i, now);
      counts.set(i, 0);
    }
    counts.incrementAndGet(i);
  }

  long sum(long now) {
    long total = 0;
    for (int i = 0; i < seconds; i++) {
      if (now - stamps.get(i) < seconds) {
        total += counts.get(i);
      }
    }
    return total;
  }

  long at(long second) {
    int i = (int) Math.floorMod(second, (long) seconds);
    return stamps.get(i) == second ? counts.get(i) : 0;
  }
}
