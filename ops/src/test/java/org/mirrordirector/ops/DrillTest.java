package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.sync.archive.Apt;

/**
 * {@code mirrorctl drill --mode all} against a running demo: every fault on the real node processes
 * (SIGTERM, SIGKILL, SIGSTOP past the session timeout, the ZooKeeper link cut) passes with zero
 * failed requests and no two active nodes, while the real apt-get updates in a loop through the
 * service address without an error; the cluster ends with two healthy nodes and the drills on the
 * status page.
 */
class DrillTest {
  @TempDir Path dir;

  @Test
  void everyModePassesAgainstTheDemoWithZeroFailedAptOperations() throws Exception {
    try (Demo demo = new Demo(dir.resolve("demo"), new PrintWriter(new StringWriter(), true))) {
      Demo.Layout l = demo.start(0, Duration.ofSeconds(60));
      Apt apt = new Apt(dir.resolve("apt"));
      apt.sources(
          "deb [signed-by=" + l.keyring() + "] " + l.service() + "raspbian/ bookworm main rpi");
      List<String> aptErrors = new ArrayList<>();
      int[] aptRounds = {0};
      Thread loop =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    // apt's own default since 2.3: 3 retries (the fixture turns them off)
                    apt.run("-o", "Acquire::Retries=3", "update");
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    synchronized (aptErrors) {
                      aptErrors.add(e.getMessage());
                    }
                  }
                  aptRounds[0]++;
                }
              },
              "apt-update-loop");
      loop.setDaemon(true);
      loop.start();

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Mirrorctl.run(
              new String[] {"drill", "--demo", l.dir().toString(), "--mode", "all", "--rate", "10"},
              new PrintWriter(out, true),
              new PrintWriter(err, true));
      loop.interrupt();
      loop.join(60_000);
      assertThat(code).as(out + "\n" + err).isZero();
      assertThat(out.toString()).doesNotContain("FAIL");
      assertThat(aptErrors).as("apt-get update errors during the drills").isEmpty();
      assertThat(aptRounds[0]).isGreaterThanOrEqualTo(4);

      List<Path> reports;
      try (Stream<Path> s = Files.list(l.dir().resolve("drills"))) {
        reports = s.sorted().toList();
      }
      assertThat(reports).hasSize(4);
      ObjectMapper json = new ObjectMapper();
      for (Path r : reports) {
        JsonNode rep = json.readTree(r.toFile());
        assertThat(rep.path("passed").asBoolean()).as(r.toString()).isTrue();
        for (JsonNode f : rep.path("figures")) {
          if (f.path("name").asText().equals("failed")
              || f.path("name").asText().equals("overlap")) {
            assertThat(f.path("value").asDouble()).as(r + " " + f).isZero();
          }
        }
        assertThat(rep.path("primaryAfter").asText())
            .isNotEqualTo(rep.path("primaryBefore").asText());
      }

      NodeClient c = NodeClient.of(l.service(), l.token(), null);
      JsonNode status = c.status();
      assertThat(status.path("drills")).hasSize(4);
      assertThat(Drill.preflight(status)).as("two healthy nodes again").isEmpty();
      assertThat(demo.nodes().values()).allMatch(Process::isAlive);
    }
  }

  @Test
  void aDrillRefusesAClusterThatIsNotFitAndNamesWhy() {
    ObjectMapper json = new ObjectMapper();
    JsonNode s =
        json.valueToTree(
            java.util.Map.of(
                "registry", java.util.Map.of("connected", false),
                "current", java.util.Map.of("id", "s-1"),
                "nodes",
                    List.of(
                        java.util.Map.of(
                            "id",
                            "a",
                            "role",
                            "ACTIVE",
                            "ready",
                            true,
                            "snapshot",
                            "s-1",
                            "heartbeatAgeMillis",
                            100),
                        java.util.Map.of(
                            "id",
                            "b",
                            "role",
                            "STANDBY",
                            "ready",
                            true,
                            "snapshot",
                            "s-0",
                            "heartbeatAgeMillis",
                            100))));
    assertThat(Drill.preflight(s))
        .containsExactly(
            "the registry (ZooKeeper) is not connected",
            "the standby b is at s-0, not at the primary's s-1");
  }

  @Test
  void badDrillArgumentsAreUsageErrors() {
    StringWriter err = new StringWriter();
    PrintWriter e = new PrintWriter(err, true);
    PrintWriter o = new PrintWriter(new StringWriter(), true);
    assertThat(Mirrorctl.run(new String[] {"drill", "--demo", dir.toString()}, o, e)).isEqualTo(2);
    assertThat(err.toString()).contains("demo.json not found: is a mirrorctl demo running");
    err.getBuffer().setLength(0);
    assertThat(
            Mirrorctl.run(new String[] {"drill", "--demo", dir.toString(), "--mode", "nap"}, o, e))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--mode must be graceful, crash, pause, isolate or all");
    err.getBuffer().setLength(0);
    assertThat(Mirrorctl.run(new String[] {"drill", "--demo", dir.toString(), "--rate", "0"}, o, e))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--rate must be more than 0");
    assertThat(Mirrorctl.run(new String[] {"drill"}, o, e)).isEqualTo(2);
  }
}
