package org.mirrordirector.sync.probe;

/**
 * Hears the quick check ({@link ReachCheck}), on its thread: hand anything slow to another thread.
 */
public interface ReachListener {
  /** The mirror did not answer: refused, reset, closed, timed out or answered 5xx, in words. */
  void lost(String mirror, String reason);

  /** The mirror answered a check (any status below 500). */
  void answered(String mirror);
}
