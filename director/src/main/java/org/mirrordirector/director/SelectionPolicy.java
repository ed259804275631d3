package org.mirrordirector.director;

import java.time.Duration;
import java.util.List;

/**
 * The director's rules for choosing a mirror.
 *
 * @param lagWindow a mirror at an older kept snapshot may still serve InRelease while it has been
 *     superseded for less than this (zero: only mirrors at the current snapshot do)
 * @param fallbackMirrors base URLs (per scheme) to redirect to when no probed mirror qualifies
 * @param serveLocally when no mirror qualifies, serve the file from this node's verified snapshot
 * @param holdFor how long a pool or by-hash request that no mirror qualifies for and that this node
 *     cannot serve is held while the director learns where the file is (a client ahead of the
 *     director: it got a newer InRelease from a mirror that moved first); zero answers at once
 */
public record SelectionPolicy(
    Duration lagWindow, List<String> fallbackMirrors, boolean serveLocally, Duration holdFor) {

  public SelectionPolicy {
    if (lagWindow == null || lagWindow.isNegative()) {
      throw new IllegalArgumentException("lagWindow must be zero or more: " + lagWindow);
    }
    fallbackMirrors = List.copyOf(fallbackMirrors);
    if (holdFor == null || holdFor.isNegative() || holdFor.compareTo(Duration.ofMinutes(2)) > 0) {
      throw new IllegalArgumentException("holdFor must be 0 to 2 minutes: " + holdFor);
    }
  }

  /** Without holding requests. */
  public SelectionPolicy(Duration lagWindow, List<String> fallbackMirrors, boolean serveLocally) {
    this(lagWindow, fallbackMirrors, serveLocally, Duration.ZERO);
  }

  /** Current snapshot only for InRelease, no fallback mirrors, serve locally, no holding. */
  public static SelectionPolicy defaults() {
    return new SelectionPolicy(Duration.ZERO, List.of(), true);
  }

  public SelectionPolicy withLagWindow(Duration d) {
    return new SelectionPolicy(d, fallbackMirrors, serveLocally, holdFor);
  }

  public SelectionPolicy withHoldFor(Duration d) {
    return new SelectionPolicy(lagWindow, fallbackMirrors, serveLocally, d);
  }
}
