package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.BoundedRun;
import org.mirrordirector.sync.archive.Rfc2822Dates;

/**
 * What the test command does around Maven: it names every skipped test and why (and, as root, fails
 * on a skip it could have prevented), and it refreshes apt's lists when one is stale.
 */
class TestScriptsTest {
  @TempDir Path dir;

  private static final Path SCRIPTS =
      Path.of("..").toAbsolutePath().normalize().resolve("ops/scripts");

  private String run(String script, String arg) throws Exception {
    List<String> cmd = List.of(SCRIPTS.resolve(script).toString(), arg);
    BoundedRun.Result r = BoundedRun.run(cmd, dir, Duration.ofSeconds(30));
    assertThat(r.exit()).as(r.describe(cmd)).isZero();
    return r.output();
  }

  @Test
  void everySkippedTestIsNamedWithItsReason() throws Exception {
    Path reports = Files.createDirectories(dir.resolve("m/target/surefire-reports"));
    Files.writeString(
        reports.resolve("TEST-org.x.ATest.xml"),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="org.x.ATest" tests="3" skipped="2">
          <testcase name="ran" classname="org.x.ATest" time="0.1"/>
          <testcase name="needsHaproxy" classname="org.x.ATest" time="0">
            <skipped message="haproxy is not installed"/>
          </testcase>
          <testcase name="quiet()" classname="org.x.ATest" time="0"><skipped/></testcase>
        </testsuite>
        """);
    Path failsafe = Files.createDirectories(dir.resolve("m/target/failsafe-reports"));
    Files.writeString(
        failsafe.resolve("TEST-org.x.BIT.xml"),
        "<testsuite><testcase name=\"t\" classname=\"org.x.BIT\">"
            + "<skipped message=\"not a git checkout: nothing to clone\"/></testcase></testsuite>");
    assertThat(run("skipped-tests.sh", dir.toString()).lines().toList())
        .containsExactly(
            "  org.x.ATest.needsHaproxy: haproxy is not installed",
            "  org.x.ATest.quiet(): no reason given",
            "  org.x.BIT.t: not a git checkout: nothing to clone");
    Files.createDirectories(dir.resolve("clean"));
    assertThat(run("skipped-tests.sh", dir.resolve("clean").toString())).isEmpty();
  }

  @Test
  void listsPastOrNearTheirValidUntilAreStale() throws Exception {
    Path lists = Files.createDirectories(dir.resolve("lists"));
    Instant now = Instant.now();
    list(lists, "expired", "Valid-Until: " + Rfc2822Dates.format(now.minusSeconds(60)));
    list(lists, "tomorrow-morning", "Valid-Until: " + Rfc2822Dates.format(now.plusSeconds(3600)));
    list(lists, "next-week", "Valid-Until: " + Rfc2822Dates.format(now.plusSeconds(7 * 86400)));
    list(lists, "forever", "");
    assertThat(run("stale-lists.sh", lists.toString()).lines().toList())
        .containsExactly(
            lists.resolve("expired_InRelease").toString(),
            lists.resolve("tomorrow-morning_InRelease").toString());
  }

  private static void list(Path lists, String name, String validUntil) throws Exception {
    Files.writeString(
        lists.resolve(name + "_InRelease"),
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\nSuite: x\n"
            + (validUntil.isEmpty() ? "" : validUntil + "\n")
            + "Date: Sat, 05 Dec 2026 09:00:00 UTC\n");
  }
}
