package org.mirrordirector.ops.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Role;
import org.mirrordirector.ops.TestNodes;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.cli.StatusCommand;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Nodes as {@code mirrorctl node} builds them, from YAML, over a real ZooKeeper, a real rsync
 * upstream and real apt-get: the primary copies the upstream, the hot spare copies the primary, apt
 * works through the sources entry {@code mirrorctl sources} prints, mirrors are added and drained
 * with {@code mirrorctl mirrors}, and the spare takes over when the primary stops.
 */
public class NodeTest {
  public static final String TOKEN = "node-test-admin-token-0123";

  @TempDir Path dir;

  @Test
  void twoNodesFromYamlServeAptAndHandOverWhenThePrimaryStops() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 3));
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    List<Node> nodes = new ArrayList<>();
    try (TestingServer zk = new TestingServer(true);
        RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        StaticHttpServer mirror = new StaticHttpServer(upstream.root)) {
      Path configA = config("node-a", zk.getConnectString(), upstreamd.url(), upstream.keyring);
      Path configB = config("node-b", zk.getConnectString(), upstreamd.url(), upstream.keyring);
      Node a = Node.start(NodeConfigFile.load(configA));
      nodes.add(a);
      await("a is active", () -> a.leadership().isServingAsLeader());
      await("a publishes and records its snapshot", () -> a.view().current() != null);
      assertThat(NodeHttp.get(a, "/ready")).isEqualTo(200);
      assertThat(NodeHttp.get(a, "/leader")).isEqualTo(200);

      Node b = Node.start(NodeConfigFile.load(configB));
      nodes.add(b);
      await("b is the standby", () -> b.leadership().role() == Role.STANDBY);
      await(
          "b copies a's published tree and is ready at a's snapshot",
          () ->
              b.view().nodes().containsKey("node-b")
                  && b.view().nodes().get("node-b").ready()
                  && a.view()
                      .current()
                      .snapshot()
                      .equals(b.view().nodes().get("node-b").snapshot()));
      assertThat(b.sync().stats().last().upstream()).isEqualTo(a.rsyncUrl().orElseThrow());
      assertThat(NodeHttp.get(b, "/leader")).isEqualTo(503);

      // apt through the entry mirrorctl prints, both formats; no mirror yet: a serves the files.
      String list =
          run(
              "sources",
              "--config",
              configA.toString(),
              "--suite",
              "bookworm",
              "--signed-by",
              upstream.keyring.toString());
      assertThat(list)
          .isEqualTo(
              "deb [signed-by="
                  + upstream.keyring
                  + "] http://127.0.0.1:"
                  + a.port()
                  + "/raspbian/ bookworm main\n");
      Apt apt = new Apt(dir.resolve("apt"));
      apt.sourcesFile("director.list", list);
      apt.run("update");
      apt.run("download", firstPackage(upstream));
      String deb822 =
          run(
              "sources",
              "--url",
              "http://127.0.0.1:" + a.port() + "/raspbian",
              "--suite",
              "bookworm",
              "--format",
              "deb822",
              "--signed-by",
              upstream.keyring.toString());
      Apt apt822 = new Apt(dir.resolve("apt822"));
      apt822.sourcesFile("director.sources", deb822);
      apt822.run("update");

      // A mirror added through the standby's address: the command finds the active node.
      String base = mirror.base().toString();
      String added =
          run(
              "mirrors",
              "add",
              "m1",
              "--url",
              "http://127.0.0.1:" + b.port(),
              "--token-file",
              dir.resolve("token").toString(),
              "--http",
              base,
              "--country",
              "FR");
      assertThat(added).startsWith("mirror m1 added in epoch ");
      await("the prober finds m1 current", () -> health(a, "m1").equals("OK"));
      await("b sees m1 too", () -> b.view().mirrors().containsKey("m1"));
      assertThat(NodeHttp.location(a, "/raspbian/dists/bookworm/InRelease")).startsWith(base);
      // The mirror+http entry: apt fetches the ranked list from the director, then the mirror.
      String mirrorEntry =
          run(
              "sources",
              "--config",
              configA.toString(),
              "--suite",
              "bookworm",
              "--format",
              "mirror",
              "--signed-by",
              upstream.keyring.toString());
      assertThat(mirrorEntry)
          .contains("mirror+http://127.0.0.1:" + a.port() + "/raspbian/mirrors.txt");
      Apt viaList = new Apt(dir.resolve("apt-mirror"));
      viaList.sourcesFile("director.list", mirrorEntry);
      viaList.run("update");
      viaList.run("download", firstPackage(upstream));
      assertThat(run("mirrors", "list", "--config", configA.toString()))
          .contains("m1", "enabled", "http:OK", base);
      assertThat(run("mirrors", "drain", "m1", "--config", configA.toString()))
          .startsWith("mirror m1 drained");
      await(
          "a drained mirror gets no client",
          () -> NodeHttp.location(a, "/raspbian/dists/bookworm/InRelease") == null);
      assertThat(run("mirrors", "enable", "m1", "--config", configA.toString()))
          .startsWith("mirror m1 enabled");
      String status = run("status", "--config", configA.toString());
      assertThat(status).contains("node-a", "ACTIVE", "node-b", "STANDBY", "m1", "connected");
      assertThat(run("status", "--json", "--url", "http://127.0.0.1:" + b.port()))
          .contains("\"nodes\"", "\"mirrors\"");
      var self =
          NodeClient.of("http://127.0.0.1:" + b.port(), null, null).status().path("thisNode");
      assertThat(self.path("id").asText()).isEqualTo("node-b");
      assertThat(self.path("lastSyncUpstream").asText())
          .as("the spare copies the primary's module")
          .isEqualTo(a.rsyncUrl().orElseThrow());
      assertThat(self.path("lastSyncOutcome").asText()).isIn("PUBLISHED", "UNCHANGED");
      assertThat(self.path("newestKnown").path("bookworm").asText())
          .as("the newest snapshot it knows: the one it holds, the upstream's only one")
          .isEqualTo(
              org.mirrordirector.sync.archive.Sha256.hex(
                  Files.readAllBytes(upstream.root.resolve("dists/bookworm/InRelease"))));

      // The primary stops cleanly: the spare takes over and serves apt.
      long epoch = a.leadership().epoch();
      a.close();
      nodes.remove(a);
      await("b is promoted", () -> b.leadership().isServingAsLeader());
      assertThat(b.leadership().epoch()).isGreaterThan(epoch);
      assertThat(NodeHttp.get(b, "/leader")).isEqualTo(200);
      await(
          "b syncs from the real upstream now",
          () -> upstreamd.url().equals(b.sync().stats().last().upstream()));
      Apt afterwards = new Apt(dir.resolve("apt-b"));
      afterwards.sourcesFile(
          "director.list",
          run(
              "sources",
              "--config",
              configB.toString(),
              "--suite",
              "bookworm",
              "--signed-by",
              upstream.keyring.toString()));
      afterwards.run("update");
      afterwards.run("download", firstPackage(upstream));
      try (Stream<Path> s = Files.list(afterwards.downloads())) {
        assertThat(s.filter(p -> p.toString().endsWith(".deb")).count()).isEqualTo(1);
      }
    } finally {
      for (Node n : nodes) {
        n.close();
      }
    }
  }

  @Test
  void aNodeWithoutAnEnsembleRunsItsOwnZooKeeper() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 5, 4));
    try (RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        Node n =
            Node.start(
                NodeConfigFile.load(config("solo", "", upstreamd.url(), upstream.keyring)))) {
      assertThat(n.config().zookeeper().embedded()).isTrue();
      await("the node leads its own cluster", () -> n.leadership().isServingAsLeader());
      await("it publishes", () -> n.view().current() != null);
      assertThat(NodeHttp.get(n, "/leader")).isEqualTo(200);

      // /metrics: the node's own meters beside the director's, the JVM's and Jetty's.
      await(
          "a probe round is counted",
          () ->
              metrics(n).contains("md_probe_rounds_total{archive=\"raspbian\",result=\"ran\"} 1"));
      String m = metrics(n);
      assertThat(m)
          .containsPattern(
              "md_sync_runs_total\\{archive=\"raspbian\",result=\"published\"\\} [1-9]")
          .contains("md_sync_runs_total{archive=\"raspbian\",result=\"rejected\"} 0.0")
          .containsPattern(
              "md_sync_last_success_timestamp_seconds\\{archive=\"raspbian\"\\} 1\\.[0-9]+E9")
          .containsPattern("md_sync_received_files_total\\{archive=\"raspbian\"\\} [1-9]")
          .contains("md_verification_problems{archive=\"raspbian\"} 0.0")
          .contains("md_leadership_role{role=\"active\"} 1.0")
          .contains("md_leadership_transitions_total{to=\"active\"} 1.0")
          .containsPattern("md_leadership_last_promotion_timestamp_seconds 1\\.[0-9]+E9")
          .containsPattern("md_snapshot_published_timestamp_seconds 1\\.[0-9]+E9")
          .contains("md_serving_as_leader 1.0")
          .contains("md_registry_view_source{source=\"live\"} 1.0")
          .contains("md_node_snapshot_behind_seconds{node=\"solo\"} 0.0")
          .contains("jvm_memory_used_bytes{")
          .contains("process_cpu_usage ")
          .containsPattern("process_cpu_seconds_total [0-9]")
          .contains("process_files_open_files ")
          .contains("jetty_connections_current_connections{")
          .contains("jetty_threads_busy");
      assertThat(org.mirrordirector.sync.Promtool.checkMetrics(m)).isEmpty();
    }
  }

  /**
   * A mirror added with {@code mirrors add} is probed at once, not at the next full round (ten
   * minutes here, and no rechecks between rounds); until then, {@code mirrorctl status} says it is
   * not probed yet.
   */
  @Test
  void aMirrorAddedIsProbedAtOnceNotAtTheNextRound() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 5, 4));
    try (RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        StaticHttpServer mirror = new StaticHttpServer(upstream.root)) {
      Path cfg = config("solo", "", upstreamd.url(), upstream.keyring);
      Files.writeString(
          cfg,
          Files.readString(cfg)
              .replace("probe:\n  interval: 1s", "probe:\n  interval: 10m\n  recheck-interval: 0s")
              .replace("  drain-time: 0s\n", "  drain-time: 0s\n  access-log: logs/access.log\n"));
      try (Node n = Node.start(NodeConfigFile.load(cfg))) {
        await("it publishes", () -> n.view().current() != null);
        await(
            "the first (empty) round has run",
            () -> n.view().nodes().containsKey("solo") && n.leadership().isServingAsLeader());
        Thread.sleep(1000);
        String url = "http://127.0.0.1:" + n.port();
        long t0 = System.nanoTime();
        run(
            "mirrors",
            "add",
            "m1",
            "--url",
            url,
            "--token-file",
            dir.resolve("token").toString(),
            "--http",
            mirror.base().toString(),
            "--country",
            "FR");
        await("m1 is probed", () -> health(n, "m1").equals("OK"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(run("status", "--url", url)).contains("m1").doesNotContain("not probed yet");
        assertThat(metrics(n)).contains("md_access_log_dropped_lines_total 0.0");
      }
      // director.access-log, under node.data: the admin call and the status reads, one line each.
      assertThat(Files.readString(dir.resolve("solo/logs/access.log")))
          .containsPattern(
              "127\\.0\\.0\\.1 - - \\[[^]]+\\] \"PUT /admin/mirrors/m1 HTTP/1\\.1\" 200 ")
          .contains("\"GET /status.json HTTP/1.1\" 200 ");
    }
  }

  @Test
  void statusSaysAMirrorIsNotProbedYet() throws Exception {
    var s =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                "{\"registry\":{\"source\":\"LIVE\",\"connected\":true},\"nodes\":[],"
                    + "\"mirrors\":[{\"id\":\"new\",\"enabled\":true,\"states\":[]},"
                    + "{\"id\":\"off\",\"enabled\":false,\"states\":[]}]}");
    assertThat(StatusCommand.render("http://x/", s))
        .contains("  new ")
        .contains("    not probed yet (the active node probes it within seconds)\n")
        .contains("  off ")
        .contains("    not probed (disabled)\n");
  }

  private static String metrics(Node n) throws IOException {
    try (var in = URI.create("http://127.0.0.1:" + n.port() + "/metrics").toURL().openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private Path config(String id, String zk, String upstream, Path keyring) throws IOException {
    Path f = dir.resolve(id + ".yaml");
    Files.writeString(
        f,
        "node:\n  id: "
            + id
            + "\n  data: "
            + dir.resolve(id)
            + "\n  address: 127.0.0.1:"
            + (port = freePort())
            + "\nzookeeper:\n  connect: \""
            + zk
            + "\"\n  embedded-port: "
            + freePort()
            + "\narchive:\n  upstream: "
            + upstream
            + "\n  suites: [bookworm]\n  components: [main]\n  keyring: "
            + keyring
            + "\n  sync-interval: 1s\n  min-free: 0\n  rsync-host: 127.0.0.1\n  rsync-port: "
            + freePort()
            + "\ndirector:\n  host: 127.0.0.1\n  port: "
            + port
            + "\n  admin-token-file: "
            + dir.resolve("token")
            + "\n  drain-time: 0s\nprobe:\n  interval: 1s\n  timeout: 3s\n  confirmations: 1\n");
    if (!Files.exists(dir.resolve("token"))) {
      Files.writeString(dir.resolve("token"), TOKEN + "\n");
    }
    return f;
  }

  private int port;

  private static int freePort() throws IOException {
    return TestNodes.freePort("127.0.0.1");
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mirrorctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
    return out.toString();
  }

  private static String health(Node n, String mirror) {
    var m = n.view().mirrors().get(mirror);
    if (m == null || m.state() == null) {
      return "";
    }
    var http = m.state().schemes().get("http");
    return http == null || http.get("bookworm") == null ? "" : http.get("bookworm").health().name();
  }

  private static String firstPackage(TestArchive a) throws IOException {
    return a.firstField("main/binary-armhf/Packages", "Package");
  }

  public interface Check {
    public boolean ok() throws Exception;
  }

  public static void await(String what, Check c) throws Exception {
    // Generous: a node's first sync and publication took up to a minute beside the other test
    // JVM's demos (a fresh run timed out at 60 s); the bound only stops a test that would hang.
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (true) {
      try {
        if (c.ok()) {
          return;
        }
      } catch (NullPointerException | IOException notYet) {
        // not there yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 4 minutes waiting until " + what);
      }
      Thread.sleep(100);
    }
  }
}
