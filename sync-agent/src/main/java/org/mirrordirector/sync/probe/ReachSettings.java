package org.mirrordirector.sync.probe;

import java.time.Duration;

/**
 * How the quick check runs.
 *
 * @param interval one check (a GET of 4 KiB) per mirror this often
 * @param timeout the least time an answer is waited for
 * @param maxTimeout the most: a mirror's own wait is three times its slowest recent answer, between
 *     the two (a mirror far away is not taken for a paused one)
 */
public record ReachSettings(Duration interval, Duration timeout, Duration maxTimeout) {
  /**
   * The bytes of the body each check asks for (a Range on the InRelease) and waits for: the headers
   * alone would pass a mirror whose transfers stall after them.
   */
  public static final int SAMPLE = 4096;

  public ReachSettings {
    if (interval == null || interval.toMillis() < 100) {
      throw new IllegalArgumentException(
          "reach check interval must be at least 100ms: " + interval);
    }
    if (timeout == null || timeout.toMillis() < 10) {
      throw new IllegalArgumentException("reach check timeout must be at least 10ms: " + timeout);
    }
    if (maxTimeout == null || maxTimeout.compareTo(timeout) < 0) {
      maxTimeout = timeout;
    }
  }

  /** Once a second, waiting 500 ms or more, up to 10 s. */
  public static ReachSettings defaults() {
    return new ReachSettings(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(10));
  }
}
