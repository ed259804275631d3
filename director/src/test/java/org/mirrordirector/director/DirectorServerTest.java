package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.failover.ZooKeeperClients;

/**
 * The whole director over real TCP, reading a real ZooKeeper: it redirects from the live view,
 * keeps redirecting from the last-known-good view when ZooKeeper goes away (and when it starts
 * without ZooKeeper), says so on the status page and in the metrics, and counts the 400s and 431s
 * that Jetty answers before any handler runs.
 */
class DirectorServerTest {
  @TempDir static Path dir;

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void fleet() throws Exception {
    TestFleet.create(dir);
  }

  @Test
  void redirectsFromTheLiveViewThenFromTheLastKnownGoodOneWhenZooKeeperIsGone() throws Exception {
    Path lkg = dir.resolve("lkg.json");
    RegistryPaths paths = RegistryPaths.defaults();
    TestingServer zk = new TestingServer(true);
    LeadershipConfig cfg = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
    CuratorFramework client = ZooKeeperClients.start(zk.getConnectString(), cfg);
    Leadership leadership = new Leadership(client, paths, cfg);
    RegistryReader reader = new RegistryReader(client, paths, lkg, "a");
    DirectorServer director = null;
    try {
      reader.start();
      leadership.start();
      await(() -> leadership.role() == Role.ACTIVE && leadership.isServingAsLeader());
      RegistryWriter w = new RegistryWriter(leadership, paths);
      ClusterView fleet = TestFleet.fleet();
      for (MirrorView m : fleet.mirrors().values()) {
        w.putMirror(m.config());
        if (m.state() != null) {
          w.putMirrorState(m.state());
        }
      }
      w.putSnapshot(fleet.snapshots().get("snap-1"));
      w.publish(fleet.snapshots().get("snap-2"), TestFleet.NOW);
      await(() -> reader.view().mirrors().size() == 8 && reader.view().current() != null);

      director = start(reader, leadership::isServingAsLeader);
      assertThat(director.invocationType())
          .as("no handler blocks the thread that reads requests")
          .isEqualTo(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING);
      String pool = "/raspbian/" + TestFleet.onlyInS2;
      HttpResponse<String> r = get(director, pool);
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location"))
          .hasValue("http://current-gb.example.org/raspbian/" + TestFleet.onlyInS2);
      assertThat(get(director, "/leader").statusCode()).isEqualTo(200);

      // Answers Jetty writes before any handler: a request line it cannot parse, an ambiguous
      // URI, and headers over the limit.
      assertThat(raw(director, "NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400");
      assertThat(raw(director, "GET /raspbian/pool/%2e%2e/x HTTP/1.1\r\nHost: d\r\n\r\n"))
          .startsWith("HTTP/1.1 400");
      assertThat(
              raw(
                  director,
                  "GET /raspbian/x HTTP/1.1\r\nHost: d\r\nX-Big: "
                      + "a".repeat(20_000)
                      + "\r\n\r\n"))
          .startsWith("HTTP/1.1 431");
      // And one the redirector refuses itself, counted once.
      assertThat(get(director, "/raspbian/pool/a%0d%0aSet-Cookie:x").statusCode()).isEqualTo(400);
      // A file name with a '%' (apt-ftparchive keeps the apt cache's "%3a"): apt asks "%253a",
      // which Jetty would refuse with 400 by default; no snapshot lists it here, so 404.
      assertThat(
              get(director, "/raspbian/pool/main/g/g++/g%2b%2b_4%253a12.2.0-3_amd64.deb")
                  .statusCode())
          .isNotEqualTo(400);
      String metrics = get(director, "/metrics").body();
      assertThat(metrics)
          .contains("md_error_responses_total{status=\"400\"} 3.0")
          .contains("md_error_responses_total{status=\"431\"} 1.0")
          .contains("md_zookeeper_connected 1.0")
          .contains("md_view_last_known_good 0.0");

      zk.stop();
      await(() -> !reader.view().connected());
      r = get(director, pool);
      assertThat(r.statusCode()).as("ZooKeeper gone, the view kept").isEqualTo(302);
      assertThat(r.headers().firstValue("X-Mirror")).hasValue("current-gb");
      assertThat(get(director, "/status").body())
          .contains("NOT connected")
          .contains("id=\"stale\"");
      assertThat(get(director, "/metrics").body())
          .contains("md_zookeeper_connected 0.0")
          .as("the view it keeps is the last known good: named so, not LIVE")
          .contains("md_view_last_known_good 1.0")
          .contains("md_registry_view_source{source=\"last_known_good\"} 1.0");
      assertThat(get(director, "/status.json").body())
          .contains("\"source\" : \"LAST_KNOWN_GOOD\"")
          .contains("\"connected\" : false");
      assertThat(get(director, "/leader").statusCode())
          .as("no quorum, no leader: HAProxy moves on")
          .isEqualTo(503);
    } finally {
      if (director != null) {
        director.close();
      }
      reader.close();
      leadership.close();
      client.close();
      zk.close();
    }

    // A director that starts while ZooKeeper is still gone serves the view saved on disk.
    CuratorFramework nowhere =
        ZooKeeperClients.start(
            "127.0.0.1:" + closedPort(),
            LeadershipConfig.withSessionTimeout("b", "b:1", Duration.ofSeconds(4)));
    RegistryReader restarted = new RegistryReader(nowhere, paths, lkg, "b");
    try (DirectorServer again = start(restarted, () -> false)) {
      restarted.start();
      assertThat(restarted.view().source()).isEqualTo(ViewSource.LAST_KNOWN_GOOD);
      HttpResponse<String> r = get(again, "/raspbian/" + TestFleet.onlyInS2);
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("X-Mirror")).hasValue("current-gb");
      assertThat(get(again, "/metrics").body())
          .contains("md_view_last_known_good 1.0")
          .contains("md_zookeeper_connected 0.0");
      assertThat(get(again, "/status.json").body()).contains("last-known-good");
    } finally {
      restarted.close();
      nowhere.close();
    }
  }

  private static DirectorServer start(RegistryReader reader, BooleanSupplier leader)
      throws Exception {
    return new DirectorServer(
            DirectorSettings.loopback(List.of("/raspbian/")),
            new DirectorSources(
                reader::view,
                () -> TestFleet.files,
                () -> Optional.of(TestFleet.s2Tree),
                a -> TestFleet.GB,
                leader,
                Optional::empty,
                null,
                RegistryPaths.defaults()))
        .start();
  }

  private static HttpResponse<String> get(DirectorServer d, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends bytes as they are and returns the status line. */
  private static String raw(DirectorServer d, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", d.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        line.append((char) c);
      }
      return line.toString();
    }
  }

  private static int closedPort() throws Exception {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void await(BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met in 20 s");
      }
      Thread.sleep(20);
    }
  }
}
