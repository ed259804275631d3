package org.mirrordirector.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's scenario on the demo, with the real apt-get looping through HAProxy: the upstream
 * publishes every few seconds, a pushed mirror copies each version before the nodes sync (the
 * director still believes it at the old one until it looks again), a naive mirror copies with one
 * {@code rsync -a --delete} (new InRelease over the old pool for a while). Not one apt operation
 * may fail, and the mirror that moved first must be used while it is ahead.
 */
class MovingMirrorsTest {
  @TempDir Path dir;

  @Test
  void aptNeverFailsWhileAMirrorMovesAheadOfTheNodeAndAnotherSyncsNaively() throws Exception {
    StringWriter log = new StringWriter();
    MotionSettings s =
        new MotionSettings(
            Duration.ofSeconds(10),
            10,
            Duration.ZERO,
            Duration.ofSeconds(5),
            false,
            50,
            Duration.ofSeconds(20),
            Duration.ofSeconds(1),
            NodeSpeed.SLOW,
            12);
    MovingMirrorsRun.Report r = MovingMirrorsRun.run(dir, s, 5, 2, new PrintWriter(log, true));
    System.out.print(r.summary());
    assertThat(r.failures()).as(r.summary() + log).isEmpty();
    assertThat(r.publications()).isGreaterThanOrEqualTo(5);
    assertThat(r.operations()).as("apt ran all along").isGreaterThanOrEqualTo(20);
    assertThat(r.versionsSeen())
        .as("the clients got new versions as they came")
        .isGreaterThanOrEqualTo(3);
    assertThat(r.healthsSeen().get("mirror-pushed"))
        .as("the pushed mirror was seen ahead of the node and used")
        .contains("AHEAD");
  }
}
