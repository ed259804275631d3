package org.mirrordirector.ops.drill;

import java.time.Duration;

/** The limits of a PASS. */
public record DrillThresholds(
    Duration promotion, Duration switchOver, Duration gap, Duration rejoin, int failed) {
  /** For a 4 s session timeout: promotion 10 s, switch 12 s, gap 12 s, rejoin 60 s, no failure. */
  public static DrillThresholds defaults() {
    return new DrillThresholds(
        Duration.ofSeconds(10),
        Duration.ofSeconds(12),
        Duration.ofSeconds(12),
        Duration.ofSeconds(60),
        0);
  }
}
