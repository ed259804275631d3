package org.mirrordirector.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.client.NodeClient;

/**
 * {@code mirrorctl demo --replicas 1}: ZooKeeper as server processes (a voter, an observer in the
 * replica's region), a replica reading the observer alone; {@code mirrorctl drill --mode region}
 * cuts the region off from the voter under load through the replica: no request fails, the replica
 * serves from its last-known-good view, catches up once mended, and the writers are untouched.
 */
class DemoReplicasTest {
  @TempDir Path dir;

  @Test
  void aDemoWithAReplicaPassesTheRegionDrill() throws Exception {
    try (Demo demo =
        new Demo(dir.resolve("demo"), new PrintWriter(new StringWriter(), true), null, 1)) {
      DemoLayout l = demo.start(0, Duration.ofSeconds(90));
      assertThat(l.replicaPorts()).containsOnlyKeys("replica-1");
      JsonNode status = NodeClient.of(l.service(), l.token(), null).status();
      JsonNode replica = null;
      for (JsonNode n : status.path("nodes")) {
        if (n.path("id").asText().equals("replica-1")) {
          replica = n;
        }
      }
      assertThat(replica).isNotNull();
      assertThat(replica.path("role").asText()).isEqualTo("REPLICA");
      assertThat(replica.path("region").asText()).isEqualTo("region-1");
      assertThat(replica.path("snapshot").asText())
          .isEqualTo(status.path("current").path("id").asText());
      // The replica routes an InRelease request to a mirror, as the writers do.
      int port = l.replicaPorts().get("replica-1");
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + "/raspbian/dists/bookworm/InRelease")
                  .toURL()
                  .openConnection();
      c.setInstanceFollowRedirects(false);
      assertThat(c.getResponseCode()).isEqualTo(302);
      assertThat(c.getHeaderField("Location")).startsWith(l.mirrors().get("current"));
      c.disconnect();

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Mirrorctl.run(
              new String[] {
                "drill", "--demo", l.dir().toString(), "--mode", "region", "--rate", "10"
              },
              new PrintWriter(out, true),
              new PrintWriter(err, true));
      System.out.print(out); // the drill's report, in the test's output
      assertThat(code).as(out + "\n" + err).isZero();
      List<Path> reports;
      try (Stream<Path> s = Files.list(l.dir().resolve("drills"))) {
        reports = s.sorted().toList();
      }
      assertThat(reports).hasSize(1);
      JsonNode rep = new ObjectMapper().readTree(reports.get(0).toFile());
      assertThat(rep.path("mode").asText()).isEqualTo("region");
      assertThat(rep.path("passed").asBoolean()).as(rep.toString()).isTrue();
      assertThat(rep.path("requests").asInt()).isGreaterThan(50);
      for (JsonNode f : rep.path("figures")) {
        if (f.path("name").asText().equals("failed")) {
          assertThat(f.path("value").asDouble()).as(f.toString()).isZero();
        }
      }
      assertThat(out.toString()).contains("replica-1's region cut off from the writers' quorum");
      assertThat(demo.nodes().values()).allMatch(Process::isAlive);
    }
  }
}
