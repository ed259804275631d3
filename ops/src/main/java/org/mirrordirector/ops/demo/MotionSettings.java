package org.mirrordirector.ops.demo;

import java.time.Duration;

/**
 * How the archive moves.
 *
 * @param every time between publications
 * @param changePercent packages changed by each publication
 * @param pushedDelay when the pushed mirror starts copying, after a publication
 * @param naiveDelay when the naive mirror starts copying, after a publication (or after the pushed
 *     mirror's copy, with {@code naiveFollowsPushed})
 * @param naiveFollowsPushed the naive mirror starts only once the pushed one has copied the
 *     version: a second-tier mirror, or one that simply syncs later
 * @param pushedKBps the pushed mirror's transfer rate (rsync --bwlimit), so that a copy takes as
 *     long against the probe intervals as a real one does; 0: unlimited
 * @param probeInterval the nodes' full probe rounds
 * @param recheckInterval the nodes' InRelease rechecks; null: the node's default, not written
 * @param node how the nodes' own syncs keep up
 * @param seed for the delays' random stretch
 * @param packages the first version's packages (later ones change {@code changePercent} of them)
 * @param sources source packages too ({@code apt-get source})
 */
public record MotionSettings(
    Duration every,
    int changePercent,
    Duration pushedDelay,
    Duration naiveDelay,
    boolean naiveFollowsPushed,
    int pushedKBps,
    Duration probeInterval,
    Duration recheckInterval,
    NodeSpeed node,
    long seed,
    int packages,
    boolean sources) {
  public MotionSettings {
    if (every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("publications must be at least 1s apart: " + every);
    }
    java.util.Objects.requireNonNull(node, "node");
    if (packages < 4) {
      throw new IllegalArgumentException("at least 4 packages: " + packages);
    }
  }

  /** The moving-mirror shape: 60 packages, binaries only. */
  public MotionSettings(
      Duration every,
      int changePercent,
      Duration pushedDelay,
      Duration naiveDelay,
      boolean naiveFollowsPushed,
      int pushedKBps,
      Duration probeInterval,
      Duration recheckInterval,
      NodeSpeed node,
      long seed) {
    this(
        every,
        changePercent,
        pushedDelay,
        naiveDelay,
        naiveFollowsPushed,
        pushedKBps,
        probeInterval,
        recheckInterval,
        node,
        seed,
        60,
        false);
  }

  /** The same, with another first version. */
  public MotionSettings withArchive(int packages, boolean sources) {
    return new MotionSettings(
        every,
        changePercent,
        pushedDelay,
        naiveDelay,
        naiveFollowsPushed,
        pushedKBps,
        probeInterval,
        recheckInterval,
        node,
        seed,
        packages,
        sources);
  }

  public static MotionSettings every(Duration every) {
    return new MotionSettings(
        every,
        10,
        Duration.ZERO,
        every.dividedBy(2),
        false,
        100,
        Duration.ofSeconds(5),
        null,
        NodeSpeed.FAST,
        1);
  }
}
