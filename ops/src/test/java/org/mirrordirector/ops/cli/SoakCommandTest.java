package org.mirrordirector.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.demo.DemoArchive;

/** {@code mirrorctl soak}'s bad arguments: refused, named, before anything starts. */
class SoakCommandTest {
  @TempDir Path dir;

  private void refused(String expected, String... args) throws Exception {
    String[] all = new String[args.length + 3];
    all[0] = "soak";
    all[1] = "--dir";
    all[2] = dir.resolve("demo").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    MirrorctlTest.Run r = MirrorctlTest.mirrorctl(all);
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains(expected);
    assertThat(Files.exists(dir.resolve("demo"))).as("nothing was started").isFalse();
  }

  @Test
  void badArgumentsAreNamed() throws Exception {
    refused("--duration must be at least 30s", "--duration", "10s");
    refused("--publish-every must be at least 10s", "--publish-every", "5s");
    refused("--clients must be 1..16", "--clients", "0");
    refused("--replicas must be 0-4", "--replicas", "5");
    refused("--packages must be 100..100000", "--packages", "10");
    refused("--hold must be at least 1s", "--hold", "500ms");
    refused("faults and mirror events at least 5s apart", "--fault-every", "1s");
    refused("'soon'", "--duration", "soon");
    refused(
        "--mirror-events: 'flood' is not lag, break, drop or drain",
        "--mirror-events",
        "lag,flood");
  }

  @Test
  void theDemoAndTheDeploymentOptionsAreNotMixed() throws Exception {
    refused("--replicas shapes the demo", "--url", "http://127.0.0.1:9/", "--replicas", "2");
    refused(
        "--publish-every shapes the demo", "--url", "http://127.0.0.1:9/", "--publish-every", "1m");
    refused("--url needs the archive's keyring", "--url", "http://127.0.0.1:9/");
    refused("--keyring goes with --url", "--keyring", "/etc/hostname");
    refused("--fault-command goes with --url", "--fault-command", "true {action}");
    refused(
        "must contain {action}",
        "--url",
        "http://127.0.0.1:9/",
        "--keyring",
        "/etc/hostname",
        "--fault-command",
        "ssh {node}");
  }

  /**
   * The operator's guide's "1 % of the packages changed (of 400: two upgraded, one new, one
   * removed)".
   */
  @Test
  void aSoakPublicationChangesOnePercentWithSources() throws Exception {
    Path up = dir.resolve("upstream");
    org.mirrordirector.sync.archive.generate.ArchiveGenerator.generate(
        DemoArchive.options(up, 400, 1, false).withSources(true));
    var r =
        org.mirrordirector.sync.archive.generate.ArchiveGenerator.generate(
            DemoArchive.options(up, 0, 1001, false)
                .withSources(true)
                .withUpdateFrom(
                    up,
                    SoakCommand.motion(java.time.Duration.ofMinutes(1), 400, 1).changePercent()));
    assertThat(r.upgraded()).isEqualTo(2);
    assertThat(r.added()).isEqualTo(1);
    assertThat(r.removed()).isEqualTo(1);
    assertThat(Files.readString(up.resolve("dists/bookworm/InRelease")))
        .contains("main/source/Sources");
  }

  @Test
  void theDirectoryIsRequired() {
    MirrorctlTest.Run r = MirrorctlTest.mirrorctl("soak");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--dir");
  }
}
