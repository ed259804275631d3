package org.mirrordirector.ops.soak;

import java.time.Duration;
import java.util.Set;
import org.mirrordirector.ops.common.Durations;

/**
 * How the soak runs.
 *
 * @param duration how long faults and clients run
 * @param faultEvery time between faults on the cluster (randomly 0.75 to 1.25 of it)
 * @param mirrorEvery time between mirror events
 * @param hold how long a pause, a cut, a drop or a drain lasts
 * @param clients apt clients
 * @param seed the random order and timing of everything
 * @param events the mirror events to draw from
 */
public record SoakSettings(
    Duration duration,
    Duration faultEvery,
    Duration mirrorEvery,
    Duration hold,
    int clients,
    long seed,
    Set<MirrorEvent> events) {
  /** Every kind of mirror event. */
  public SoakSettings(
      Duration duration,
      Duration faultEvery,
      Duration mirrorEvery,
      Duration hold,
      int clients,
      long seed) {
    this(
        duration,
        faultEvery,
        mirrorEvery,
        hold,
        clients,
        seed,
        java.util.EnumSet.allOf(MirrorEvent.class));
  }

  public SoakSettings {
    events = Set.copyOf(events);
    if (duration.compareTo(Duration.ofSeconds(30)) < 0) {
      throw new IllegalArgumentException(
          "--duration must be at least 30s: " + Durations.format(duration));
    }
    if (faultEvery.compareTo(Duration.ofSeconds(5)) < 0
        || mirrorEvery.compareTo(Duration.ofSeconds(5)) < 0) {
      throw new IllegalArgumentException("faults and mirror events at least 5s apart");
    }
    if (hold.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--hold must be at least 1s: " + Durations.format(hold));
    }
    if (clients < 1 || clients > 16) {
      throw new IllegalArgumentException("--clients must be 1..16: " + clients);
    }
  }
}
