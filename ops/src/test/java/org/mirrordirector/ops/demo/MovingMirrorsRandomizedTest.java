package org.mirrordirector.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MovingMirrorsTest}'s scenario with its timings drawn from a seed that is printed first
 * ({@code -Dmd.moving.seed=S} replays it): the publication interval, when and how fast the pushed
 * mirror copies, when the naive mirror does, the probe interval (the demo's 5 s or the default 60
 * s), the recheck interval, and the node: fast, slow, or stuck on its first snapshot (its sync
 * never sees the new versions). Within the bounds docs/design.md gives, no apt operation may fail.
 */
class MovingMirrorsRandomizedTest {
  @TempDir Path dir;

  @Test
  void aptNeverFailsWhateverTheTimingsProbeIntervalsAndNodeSpeed() throws Exception {
    long seed = Long.getLong("md.moving.seed", System.nanoTime());
    Random r = new Random(seed);
    Duration recheck = Duration.ofSeconds(1 + r.nextInt(2));
    Duration pushedDelay = Duration.ofMillis(r.nextInt(1000));
    NodeSpeed node = NodeSpeed.values()[r.nextInt(3)];
    MotionSettings s =
        new MotionSettings(
            // With a stuck node the naive mirror follows the pushed one, and must copy the version
            // the pushed one copied (which the director learns from it): a publication must not
            // come before the pushed copy (up to about 12 s at these rates) and the naive delay
            // are over, or the naive mirror deletes files of a version no one has told the director
            // of, outside the design's bound. Seed 13820406535814 drew 12 s and failed so.
            Duration.ofSeconds((node == NodeSpeed.STUCK ? 20 : 12) + r.nextInt(5)),
            5 + r.nextInt(11),
            pushedDelay,
            // When the director can know the new version (docs/design.md, "What remains"): the
            // pushed
            // mirror's lock seen and the node's look done, or, when the node is stuck, the pushed
            // mirror's copy rechecked. That is the earliest; the copy also waits until the serving
            // node names the version as known (MovingMirrorsRun), as on a loaded machine the look
            // takes longer.
            node == NodeSpeed.STUCK
                ? recheck.multipliedBy(2).plusSeconds(1 + r.nextInt(3))
                : pushedDelay.plus(recheck.multipliedBy(2)).plusSeconds(2 + r.nextInt(3)),
            node == NodeSpeed.STUCK,
            // 12-20 KB/s: every copy of a 5-15 % change lasts several rechecks (the design's
            // bound).
            12 + r.nextInt(9),
            Duration.ofSeconds(r.nextBoolean() ? 5 : 60),
            recheck,
            node,
            seed);
    String run = "seed " + seed + " (replay with -Dmd.moving.seed=" + seed + "): " + s;
    System.out.println("MovingMirrorsRandomizedTest " + run);
    StringWriter log = new StringWriter();
    MovingMirrorsRun.Report report = MovingMirrorsRun.run(dir, s, 4, 2, new PrintWriter(log, true));
    System.out.print(report.summary());
    assertThat(report.failures()).as(run + "\n" + report.summary() + log).isEmpty();
    assertThat(report.operations()).as(run).isGreaterThanOrEqualTo(12);
    assertThat(report.versionsSeen()).as(run).isGreaterThanOrEqualTo(3);
  }
}
