package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.hosting.Haproxy;

/**
 * The region's HAProxy example ({@code ops/examples/production/region/haproxy.cfg}) run by the real
 * haproxy, its host names pointed at local stand-ins: clients go to a replica whose {@code /ready}
 * answers 200, and to the writer pair while none does. Skipped where haproxy is not installed
 * (ops/scripts/test.sh installs it); its twin, {@link
 * #theRegionsFileChecksReadinessAndKeepsTheWritersAsABackup}, reads the same rules from the file
 * and runs anywhere.
 */
class RegionHaproxyTest {
  @TempDir Path dir;

  @Test
  void theRegionsClientsGoToAReadyReplicaAndToTheWritersWhileNoneIs() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    int front = TestNodes.freePort("127.0.0.1");
    try (StandIn ap1 = StandIn.named("replica-ap1", Map.of("/ready", 503));
        StandIn ap2 = StandIn.named("replica-ap2", Map.of("/ready", 503));
        StandIn writers = StandIn.named("writers", Map.of())) {
      Process p =
          StandIn.haproxyExample(
              dir,
              Path.of("examples/production/region/haproxy.cfg"),
              front,
              Map.of(
                  "replica-ap1.example.org:8080", ap1,
                  "replica-ap2.example.org:8080", ap2,
                  "raspbian.example.org:80", writers));
      try {
        HttpClient http = HttpClient.newHttpClient();
        String url = "http://127.0.0.1:" + front + "/raspbian/dists/bookworm/InRelease";
        StandIn.awaitServedBy(
            http, url, List.of("writers"), "no replica is ready: the writer pair");
        ap1.set("/ready", 200);
        StandIn.awaitServedBy(http, url, List.of("replica-ap1"), "a replica ready: only it");
        ap2.set("/ready", 200);
        StandIn.awaitServedBy(
            http, url, List.of("replica-ap1", "replica-ap2"), "both ready: both, and only them");
        ap1.set("/ready", 503);
        ap2.set("/ready", 503);
        StandIn.awaitServedBy(http, url, List.of("writers"), "none ready again: the writer pair");
      } finally {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The twin without haproxy: the rules the routing above comes from, read from the file. */
  @Test
  void theRegionsFileChecksReadinessAndKeepsTheWritersAsABackup() throws Exception {
    String cfg = Files.readString(Path.of("examples/production/region/haproxy.cfg"));
    String backend = cfg.substring(cfg.indexOf("backend replicas"));
    assertThat(cfg).containsPattern("(?m)^  default_backend replicas$");
    assertThat(backend)
        .containsPattern("(?m)^  option httpchk GET /ready$")
        .containsPattern("(?m)^  http-check expect status 200$")
        .containsPattern("(?m)^  server replica-ap1 \\S+ check$")
        .containsPattern("(?m)^  server replica-ap2 \\S+ check$")
        .containsPattern("(?m)^  server writers \\S+ check backup$");
    List<String> servers = backend.lines().filter(l -> l.startsWith("  server ")).toList();
    assertThat(servers).hasSize(3);
    assertThat(servers.stream().filter(l -> l.endsWith(" backup"))).hasSize(1);
  }
}
