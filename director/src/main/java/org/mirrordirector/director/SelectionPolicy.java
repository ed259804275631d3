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
 */
public record SelectionPolicy(
    Duration lagWindow, List<String> fallbackMirrors, boolean serveLocally) {

  public SelectionPolicy {
    if (lagWindow == null || lagWindow.isNegative()) {
      throw new IllegalArgumentException("lagWindow must be zero or more: " + lagWindow);
    }
    fallbackMirrors = List.copyOf(fallbackMirrors);
  }

  /** Current snapshot only for InRelease, no fallback mirrors, serve locally. */
  public static SelectionPolicy defaults() {
    return new SelectionPolicy(Duration.ZERO, List.of(), true);
  }

  public SelectionPolicy withLagWindow(Duration d) {
    return new SelectionPolicy(d, fallbackMirrors, serveLocally);
  }
}
