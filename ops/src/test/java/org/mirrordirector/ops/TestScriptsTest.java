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
import org.mirrordirector.sync.RunResult;
import org.mirrordirector.sync.archive.Rfc2822Dates;

/**
 * What the test command does around Maven: it names every skipped test and why (and, as root, fails
 * on a skip it could have prevented), it refreshes apt's lists when one is stale, and it runs the
 * failover module's build beside the other modules' (with a stand-in {@code mvn}).
 */
class TestScriptsTest {
  @TempDir Path dir;

  private static final Path SCRIPTS =
      Path.of("..").toAbsolutePath().normalize().resolve("ops/scripts");

  private String run(String script, String arg) throws Exception {
    List<String> cmd = List.of(SCRIPTS.resolve(script).toString(), arg);
    RunResult r = BoundedRun.run(cmd, dir, Duration.ofSeconds(30));
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

  /**
   * maven-verify.sh with a stand-in mvn first on the PATH: each call is logged; the failover build
   * and the other modules' build each wait (at most 20 s) until the other has started, so they only
   * both end well when they run at once.
   */
  private RunResult mavenVerify(int failoverExit) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path calls = dir.resolve("calls");
    Path fake = bin.resolve("mvn");
    Files.writeString(
        fake,
        """
        #!/bin/bash
        echo "$*" >> "$MD_FAKE/calls"
        others() { [ -e "$MD_FAKE/$1" ] || { for _ in $(seq 200); do
          [ -e "$MD_FAKE/$1" ] && return 0; sleep 0.1; done; echo "$1 never started"; exit 3; }; }
        case "$*" in
          *"verify -pl failover"*) : > "$MD_FAKE/failover"; others rest;
            echo "FAILOVER BUILD OUTPUT"; exit "$MD_FAKE_FAILOVER_EXIT" ;;
          *"verify -pl sync-agent,director,ops"*) : > "$MD_FAKE/rest"; others failover;
            echo "THE OTHER MODULES' OUTPUT" ;;
        esac
        """);
    fake.toFile().setExecutable(true);
    List<String> cmd = List.of(SCRIPTS.resolve("maven-verify.sh").toString(), "-Dmd.x=1");
    ProcessBuilder b = new ProcessBuilder(cmd);
    b.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    b.environment().put("MD_FAKE", dir.toString());
    b.environment().put("MD_FAKE_FAILOVER_EXIT", Integer.toString(failoverExit));
    RunResult r = BoundedRun.run(b, dir, Duration.ofSeconds(60));
    assertThat(Files.readAllLines(calls))
        .as(r.describe(cmd))
        .hasSize(3)
        .first()
        .isEqualTo("-B install -pl .,failover -DskipTests -Dmd.x=1");
    assertThat(Files.readAllLines(calls))
        .containsOnlyOnce("-B verify -pl failover -Dmd.x=1")
        .containsOnlyOnce("-B verify -pl sync-agent,director,ops -Dmd.x=1");
    return r;
  }

  @Test
  void theFailoverBuildRunsBesideTheOthersAndItsFailureFailsTheRun() throws Exception {
    RunResult ok = mavenVerify(0);
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(ok.output())
        .as("the failover build's output follows the others'")
        .containsSubsequence("THE OTHER MODULES' OUTPUT", "(exit 0)", "FAILOVER BUILD OUTPUT");
    Files.delete(dir.resolve("calls"));
    Files.delete(dir.resolve("failover"));
    Files.delete(dir.resolve("rest"));
    RunResult failed = mavenVerify(1);
    assertThat(failed.exit()).as(failed.output()).isEqualTo(1);
    assertThat(failed.output()).contains("(exit 1)", "FAILOVER BUILD OUTPUT");
  }

  private static void list(Path lists, String name, String validUntil) throws Exception {
    Files.writeString(
        lists.resolve(name + "_InRelease"),
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\nSuite: x\n"
            + (validUntil.isEmpty() ? "" : validUntil + "\n")
            + "Date: Sat, 05 Dec 2026 09:00:00 UTC\n");
  }
}
