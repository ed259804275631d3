package org.mirrordirector.ops.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.cli.CommandFaults;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;

/**
 * {@code mirrorctl drill --mode all --apt} against a running demo: every fault on the real node
 * processes (SIGTERM, SIGKILL, SIGSTOP past the session timeout, the ZooKeeper link cut) passes
 * with zero failed requests and no two active nodes, while the real apt-get updates in a loop
 * through the service address without an error; the cluster ends with two healthy nodes and the
 * drills on the status page.
 */
class DrillTest {
  @TempDir Path dir;

  @Test
  void everyModePassesAgainstTheDemoWithZeroFailedAptOperations() throws Exception {
    try (Demo demo = new Demo(dir.resolve("demo"), new PrintWriter(new StringWriter(), true))) {
      DemoLayout l = demo.start(0, Duration.ofSeconds(60));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Mirrorctl.run(
              new String[] {
                "drill", "--demo", l.dir().toString(), "--mode", "all", "--rate", "10", "--apt"
              },
              new PrintWriter(out, true),
              new PrintWriter(err, true));
      assertThat(code).as(out + "\n" + err).isZero();
      assertThat(out.toString()).doesNotContain("FAIL");

      List<Path> reports;
      try (Stream<Path> s = Files.list(l.dir().resolve("drills"))) {
        reports = s.sorted().toList();
      }
      assertThat(reports).hasSize(4);
      ObjectMapper json = new ObjectMapper();
      int aptChecked = 0;
      for (Path r : reports) {
        JsonNode rep = json.readTree(r.toFile());
        assertThat(rep.path("passed").asBoolean()).as(r.toString()).isTrue();
        for (JsonNode f : rep.path("figures")) {
          String name = f.path("name").asText();
          if (name.equals("failed") || name.equals("overlap") || name.equals("apt failed")) {
            assertThat(f.path("value").asDouble()).as(r + " " + f).isZero();
          }
          if (name.equals("apt failed")) {
            aptChecked++;
            assertThat(f.path("limit").asText()).as("apt-get ran").doesNotContain("= 0 of 0 ");
          }
        }
        assertThat(rep.path("primaryAfter").asText())
            .isNotEqualTo(rep.path("primaryBefore").asText());
      }
      assertThat(aptChecked).as("each drill ran the real apt-get update").isEqualTo(4);

      // The last record reaches the serving node's view through ZooKeeper's watch: a moment.
      NodeClient c = NodeClient.of(l.service(), l.token(), null);
      JsonNode status = c.status();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (status.path("drills").size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        status = c.status();
      }
      assertThat(status.path("drills")).hasSize(4);
      assertThat(Drill.preflight(status)).as("two healthy nodes again").isEmpty();
      assertThat(demo.nodes().values()).allMatch(Process::isAlive);
    }
  }

  @Test
  void aFaultCommandGetsTheNodeAndTheActionAndItsFailureIsNamed() throws Exception {
    Path log = dir.resolve("faults.log");
    DrillFaults f = new CommandFaults("echo {node} {action} >> " + log);
    assertThat(f.act("node-a", "kill")).isEqualTo("node-a kill");
    f.act("node-b", "cut");
    assertThat(Files.readString(log)).isEqualTo("node-a kill\nnode-b cut\n");
    DrillFaults failing = new CommandFaults("echo no route to {node} >&2; exit 3 # {action}");
    assertThatThrownBy(() -> failing.act("node-a", "stop"))
        .hasMessageEndingWith(": exit 3: no route to node-a");
    assertThatThrownBy(() -> f.act("a; rm -rf /", "kill")).hasMessageContaining("refusing");
    assertThatThrownBy(() -> new CommandFaults("ssh {node} fault"))
        .hasMessageContaining("must contain {action}");
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
                            100),
                        // A replica writes its znode on change only: an old one is no fault.
                        java.util.Map.of(
                            "id",
                            "r",
                            "role",
                            "REPLICA",
                            "ready",
                            true,
                            "snapshot",
                            "s-1",
                            "heartbeatAgeMillis",
                            3_600_000))));
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
    assertThat(err.toString())
        .contains("--mode must be graceful, crash, pause, isolate, all or region");
    err.getBuffer().setLength(0);
    assertThat(Mirrorctl.run(new String[] {"drill", "--demo", dir.toString(), "--rate", "0"}, o, e))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--rate must be more than 0");
    assertThat(Mirrorctl.run(new String[] {"drill"}, o, e)).isEqualTo(2);
    err.getBuffer().setLength(0);
    assertThat(Mirrorctl.run(new String[] {"drill", "--url", "http://127.0.0.1:1/"}, o, e))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--url needs --fault-command");
  }
}
