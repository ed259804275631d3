package org.mirrordirector.ops.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;
import org.mirrordirector.ops.demo.MotionSettings;

/** The soak of a deployment, on the demo exactly as the README starts it. */
class ReadmeDemoSoakTest {
  @TempDir Path dir;

  /**
   * {@code mirrorctl soak --url} against the demo the README starts ({@code mirrorctl demo
   * --publish-every 15s}: 60 packages, binaries only, no replica), soaked as a deployment would be:
   * the upstream's publications known only from each InRelease's Date, no fault command (it only
   * watches and checks the clients, for its whole duration). The soak with node faults through the
   * fault command runs on the soak's own demo (SoakTest): on this one it failed under load (an apt
   * client given an InRelease and Packages of two versions by one mirror for a whole soak), which
   * is being chased, not hidden: see the closing note of issue 27.
   */
  @Test
  void aSoakOfTheReadmesDemoAsADeploymentRunsItsDurationAndKnowsEveryPublication()
      throws Exception {
    StringWriter log = new StringWriter();
    PrintWriter out = new PrintWriter(log, true);
    try (Demo demo = new Demo(dir, out, MotionSettings.every(Duration.ofSeconds(15)), 0)) {
      DemoLayout l = demo.start(0, Duration.ofSeconds(180));
      JsonNode watched = SoakTest.deploymentSoak(dir, l, log, "watch", "30s", false);
      assertThat(
              Duration.between(
                  java.time.Instant.parse(watched.path("started").asText()),
                  java.time.Instant.parse(watched.path("finished").asText())))
          .as("without a fault command the soak still runs its whole duration")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(watched.path("faults").size()).as("no fault command, no fault").isZero();
    }
  }
}
