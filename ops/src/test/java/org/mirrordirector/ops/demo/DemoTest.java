package org.mirrordirector.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.sync.archive.Apt;

/**
 * {@code mirrorctl demo} as a user runs it: separate node processes, HAProxy in front when it is
 * installed, three mirrors in three states; ready within a minute, and the real apt-get updates and
 * downloads through the service address.
 */
class DemoTest {
  @TempDir Path dir;

  @Test
  void theDemoIsReadyWithinAMinuteAndAptWorksThroughIt() throws Exception {
    StringWriter log = new StringWriter();
    try (Demo demo = new Demo(dir.resolve("demo"), new PrintWriter(log, true))) {
      long t0 = System.nanoTime();
      DemoLayout l = demo.start(0, Duration.ofSeconds(60));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
      assertThat(l.haproxy()).as("haproxy is installed by the test command").isTrue();
      assertThat(demo.nodes()).hasSize(2);
      assertThat(demo.nodes().values()).allMatch(Process::isAlive);

      NodeClient c = NodeClient.of(l.service(), l.token(), null);
      Map<String, String> health = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        health.clear();
        for (JsonNode m : c.status().path("mirrors")) {
          health.put(m.path("id").asText(), m.path("states").path(0).path("health").asText());
        }
        if ("OK".equals(health.get("mirror-current"))
            && "LAGGING".equals(health.get("mirror-lagging"))
            && "BROKEN".equals(health.get("mirror-broken"))) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(health)
          .containsEntry("mirror-current", "OK")
          .containsEntry("mirror-lagging", "LAGGING")
          .containsEntry("mirror-broken", "BROKEN");
      // Ready means the hot spare is ready at the current snapshot too (a drill may start at once).
      JsonNode st = c.status();
      String current = st.path("current").path("id").asText();
      assertThat(st.path("nodes"))
          .anySatisfy(
              n -> {
                assertThat(n.path("role").asText()).isEqualTo("STANDBY");
                assertThat(n.path("ready").asBoolean()).isTrue();
                assertThat(n.path("snapshot").asText()).isEqualTo(current);
              });

      HttpURLConnection r =
          (HttpURLConnection)
              URI.create(l.service() + "raspbian/dists/bookworm/InRelease")
                  .toURL()
                  .openConnection();
      r.setInstanceFollowRedirects(false);
      assertThat(r.getResponseCode()).isEqualTo(302);
      assertThat(r.getHeaderField("Location")).startsWith(l.mirrors().get("current"));

      Apt apt = new Apt(dir.resolve("apt"));
      apt.sources(
          "deb [signed-by=" + l.keyring() + "] " + l.service() + "raspbian/ bookworm main rpi");
      apt.run("update");
      String pkg = null;
      for (String line :
          Files.readAllLines(
              l.dir().resolve("upstream/dists/bookworm/main/binary-armhf/Packages"))) {
        if (line.startsWith("Package: ")) {
          pkg = line.substring(9);
          break;
        }
      }
      apt.run("download", pkg);
      try (Stream<Path> s = Files.list(apt.downloads())) {
        assertThat(s.filter(p -> p.toString().endsWith(".deb")).count()).isEqualTo(1);
      }
      assertThat(Files.readString(l.dir().resolve("demo.json"))).contains("\"service\"");
    }
    assertThat(log.toString()).contains("demo: ready in");
  }
}
