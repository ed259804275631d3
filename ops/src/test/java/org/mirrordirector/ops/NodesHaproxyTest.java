package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.hosting.Haproxy;
import org.mirrordirector.ops.process.ChildProcesses;

/**
 * The HAProxy in front of the two nodes, as the demo writes it ({@link Haproxy}) and as the
 * production example is ({@code ops/examples/production/haproxy.cfg}), run by the real haproxy over
 * two stand-in nodes: the node whose {@code /leader} answers gets everything; while none does, the
 * first ready node alone, never both in turn. The two nodes may sit at different snapshots for a
 * moment (the hot spare copies after each publication), and apt fetches an update's indexes from
 * where its InRelease came from: requests spread over both would give a client an InRelease and a
 * Packages of two publications (a soak saw it, issue 27). Skipped without haproxy
 * (ops/scripts/test.sh installs it); its twin, {@link #bothFilesSendTheSparesToTheFirstReadyNode},
 * reads the rule from the files and runs anywhere.
 */
class NodesHaproxyTest {
  @TempDir Path dir;

  @Test
  void theDemosHaproxySendsEachMomentsRequestsToOneNode() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    int front = TestNodes.freePort("127.0.0.1");
    try (StandIn a = StandIn.named("node-a", Map.of("/leader", 503));
        StandIn b = StandIn.named("node-b", Map.of("/leader", 503));
        Haproxy h = new Haproxy(dir, front, List.of(a.port(), b.port()))) {
      oneNodeAtATime(front, a, b);
    }
  }

  @Test
  void theProductionExampleSendsEachMomentsRequestsToOneNode() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    int front = TestNodes.freePort("127.0.0.1");
    try (StandIn a = StandIn.named("node-a", Map.of("/leader", 503));
        StandIn b = StandIn.named("node-b", Map.of("/leader", 503))) {
      Process p =
          StandIn.haproxyExample(
              dir,
              Path.of("examples/production/haproxy.cfg"),
              front,
              Map.of("node-a.example.org:8080", a, "node-b.example.org:8080", b));
      try {
        ChildProcesses.awaitListening(p, "haproxy", "127.0.0.1", front, dir.resolve("haproxy.log"));
        oneNodeAtATime(front, a, b);
      } finally {
        ChildProcesses.stop(p, Duration.ofSeconds(5));
      }
    }
  }

  private static void oneNodeAtATime(int front, StandIn a, StandIn b) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url = "http://127.0.0.1:" + front + "/raspbian/dists/bookworm/InRelease";
    StandIn.awaitServedBy(
        http, url, List.of("node-a"), "no node leads, both ready: the first alone, not both");
    b.set("/leader", 200);
    StandIn.awaitServedBy(http, url, List.of("node-b"), "node-b leads: node-b alone");
    b.set("/leader", 503);
    a.set("/ready", 503);
    StandIn.awaitServedBy(
        http, url, List.of("node-b"), "no node leads, node-a not ready: node-b alone");
    a.set("/ready", 200);
    StandIn.awaitServedBy(
        http, url, List.of("node-a"), "no node leads, both ready again: the first alone");
  }

  /** The twin without haproxy: the rule the routing above comes from, read from both files. */
  @Test
  void bothFilesSendTheSparesToTheFirstReadyNode() throws Exception {
    for (String cfg :
        List.of(
            Files.readString(Path.of("examples/production/haproxy.cfg")),
            Haproxy.config(8080, List.of(8081, 8082)))) {
      assertThat(cfg)
          .containsPattern("(?m)^  use_backend spares if \\{ nbsrv\\(nodes\\) eq 0 \\}$");
      String spares = cfg.substring(cfg.indexOf("\nbackend spares"));
      assertThat(spares)
          .containsPattern("(?m)^  balance first$")
          .containsPattern("(?m)^  option httpchk GET /ready$");
      String nodes = cfg.substring(cfg.indexOf("\nbackend nodes"), cfg.indexOf("\nbackend spares"));
      assertThat(nodes).containsPattern("(?m)^  option httpchk GET /leader$");
    }
  }
}
