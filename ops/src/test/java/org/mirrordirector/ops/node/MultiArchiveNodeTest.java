package org.mirrordirector.ops.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.ops.cli.MirrorctlTest.mirrorctl;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.ops.TestNodes;
import org.mirrordirector.ops.cli.MirrorctlTest.Run;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * One node serving two archives, as the Raspberry Pi hosting does: Raspbian under /raspbian/ and
 * the Raspberry Pi archive under /debian/, each with its own upstream (a real rsync daemon), its
 * own signing key, suites, components and architectures. Each is synced, verified, published,
 * probed and routed on its own; real apt uses both through the one director; a mirror added to one
 * archive carries that archive only; the hot spare copies both from the active node's rsync
 * modules.
 */
class MultiArchiveNodeTest {

  @TempDir Path dir;

  @Test
  void oneNodeSyncsAndRoutesTwoArchivesEachOnItsOwn() throws Exception {
    TestArchive raspbian =
        TestArchive.create(
            Files.createDirectories(dir.resolve("r")),
            GeneratorOptions.small(dir.resolve("raspbian-up"), 20, 71));
    TestArchive debian =
        TestArchive.create(
            Files.createDirectories(dir.resolve("d")),
            GeneratorOptions.small(dir.resolve("debian-up"), 20, 72)
                .withComponents(List.of("main"))
                .withArchitectures(List.of("armhf", "arm64"))
                .withKey("raspberrypi-archive", false));
    try (RsyncDaemon rup = new RsyncDaemon(dir.resolve("rsyncd-r"), raspbian.root);
        RsyncDaemon dup = new RsyncDaemon(dir.resolve("rsyncd-d"), debian.root);
        StaticHttpServer debianMirror = new StaticHttpServer(debian.root);
        Node a =
            Node.start(
                NodeConfigFile.load(
                    config("node-a", "", rup.url(), raspbian, dup.url(), debian)))) {
      NodeTest.await("a leads", () -> a.leadership().isServingAsLeader());
      NodeTest.await(
          "both archives are published, each with its own snapshot",
          () -> a.view().current() != null && a.view("debian").orElseThrow().current() != null);
      assertThat(a.view("debian").orElseThrow().current().snapshot())
          .isNotEqualTo(a.view().current().snapshot());

      // Real apt, both archives through the one director, each signed by its own key.
      int port = a.port();
      Apt apt = new Apt(dir.resolve("apt"));
      String rLine =
          mirrorctl(
                  "sources",
                  "--config",
                  dir.resolve("node-a.yaml").toString(),
                  "--suite",
                  "bookworm",
                  "--signed-by",
                  raspbian.keyring.toString())
              .out();
      Run dRun =
          mirrorctl(
              "sources",
              "--config",
              dir.resolve("node-a.yaml").toString(),
              "--archive",
              "debian",
              "--suite",
              "bookworm",
              "--signed-by",
              debian.keyring.toString());
      assertThat(dRun.code()).as(dRun.err()).isZero();
      assertThat(rLine).contains("http://127.0.0.1:" + port + "/raspbian/ bookworm main rpi");
      assertThat(dRun.out()).contains("http://127.0.0.1:" + port + "/debian/ bookworm main\n");
      apt.sourcesFile("both.list", rLine + dRun.out());
      apt.run("update");
      apt.run(
          "download",
          raspbian.firstField("main/binary-armhf/Packages", "Package"),
          debian.firstField("main/binary-armhf/Packages", "Package"));

      // A mirror added to the debian archive: probed against debian's snapshots, used for
      // /debian/ only, unknown to raspbian.
      Run added =
          mirrorctl(
              "mirrors",
              "add",
              "rpi-mirror",
              "--archive",
              "debian",
              "--url",
              "http://127.0.0.1:" + port,
              "--token-file",
              dir.resolve("token").toString(),
              "--http",
              debianMirror.base().toString(),
              "--country",
              "GB");
      assertThat(added.code()).as(added.err()).isZero();
      NodeTest.await(
          "the prober finds the debian mirror current",
          () ->
              a.view("debian").orElseThrow().mirrors().get("rpi-mirror").state() != null
                  && a.view("debian")
                          .orElseThrow()
                          .mirrors()
                          .get("rpi-mirror")
                          .state()
                          .suite("http", "bookworm")
                          .orElseThrow()
                          .health()
                      == Health.OK);
      assertThat(a.view().mirrors()).doesNotContainKey("rpi-mirror");
      assertThat(location(port, "/debian/dists/bookworm/InRelease"))
          .startsWith(debianMirror.base().toString());
      assertThat(location(port, "/raspbian/dists/bookworm/InRelease"))
          .as("no raspbian mirror: served by the node")
          .isNull();
      String status =
          new String(
              URI.create("http://127.0.0.1:" + port + "/status")
                  .toURL()
                  .openStream()
                  .readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(status)
          .contains("<table id=\"archives\">")
          .contains("<td>raspbian</td><td>/raspbian/</td>")
          .contains("<td>debian</td><td>/debian/</td>");
      Run wrong =
          mirrorctl(
              "mirrors",
              "drain",
              "rpi-mirror",
              "--archive",
              "nope",
              "--url",
              "http://127.0.0.1:" + port,
              "--token-file",
              dir.resolve("token").toString());
      assertThat(wrong.code()).isNotZero();
      assertThat(wrong.out() + wrong.err()).contains("no archive 'nope' here");

      // The hot spare copies both archives from the active node's modules.
      try (Node b =
          Node.start(
              NodeConfigFile.load(
                  config(
                      "node-b",
                      a.config().zookeeper().connectString(),
                      rup.url(),
                      raspbian,
                      dup.url(),
                      debian)))) {
        NodeTest.await(
            "b is ready: both archives copied from a",
            () ->
                b.view().nodes().containsKey("node-b")
                    && b.view().nodes().get("node-b").ready()
                    && b.sync("debian").orElseThrow().stats().last() != null
                    && b.sync("debian")
                        .orElseThrow()
                        .stats()
                        .last()
                        .upstream()
                        .endsWith("/debian/"));
        assertThat(b.sync().stats().last().upstream()).isEqualTo(a.rsyncUrl().orElseThrow());
        assertThat(b.sync("debian").orElseThrow().stats().last().upstream())
            .isEqualTo(a.rsyncUrl().orElseThrow().replace("/archive/", "/debian/"));
      }
    }
  }

  @Test
  void aNodeIsNotReadyUntilEveryArchiveHasAVerifiedSnapshot() throws Exception {
    TestArchive raspbian =
        TestArchive.create(
            Files.createDirectories(dir.resolve("r")),
            smallArchive(dir.resolve("raspbian-up"), 73));
    TestArchive debian =
        TestArchive.create(
            Files.createDirectories(dir.resolve("d")),
            smallArchive(dir.resolve("debian-up"), 74).withKey("raspberrypi-archive", false));
    int closed = TestNodes.freePort("127.0.0.1");
    try (RsyncDaemon rup = new RsyncDaemon(dir.resolve("rsyncd-r"), raspbian.root);
        Node a =
            Node.start(
                NodeConfigFile.load(
                    config(
                        "node-a",
                        "",
                        rup.url(),
                        raspbian,
                        // The second archive's upstream does not answer: it never syncs.
                        "rsync://127.0.0.1:" + closed + "/archive/",
                        debian)))) {
      NodeTest.await("the first archive is published", () -> a.view().current() != null);
      NodeTest.await(
          "the registry shows the node at the first archive's snapshot",
          () ->
              a.view().nodes().containsKey("node-a")
                  && a.view().nodes().get("node-a").snapshot() != null);
      for (int i = 0; i < 10; i++) {
        assertThat(a.view("debian").orElseThrow().current()).isNull();
        assertThat(a.view().nodes().get("node-a").ready())
            .as("one archive of two has no verified snapshot")
            .isFalse();
        Thread.sleep(200);
      }
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + a.port() + "/ready").toURL().openConnection();
      assertThat(c.getResponseCode()).isEqualTo(503);
      assertThat(new String(c.getErrorStream().readAllBytes()))
          .contains("no verified snapshot of debian yet");
    }
  }

  private static GeneratorOptions smallArchive(Path out, long seed) {
    return GeneratorOptions.small(out, 5, seed).withComponents(List.of("main"));
  }

  private static String location(int port, String path) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setInstanceFollowRedirects(false);
    try {
      return c.getResponseCode() == 302 ? c.getHeaderField("Location") : null;
    } finally {
      c.disconnect();
    }
  }

  private Path config(String id, String zk, String rUp, TestArchive r, String dUp, TestArchive d)
      throws IOException {
    return TestNodes.write(
        dir,
        id,
        "127.0.0.1",
        zk,
        rUp,
        r.keyring,
        "archives:\n  - name: debian\n    root: /debian/\n    upstream: "
            + dUp
            + "\n    suites: [bookworm]\n    keyring: "
            + d.keyring
            + "\n    sync-interval: 1s\n    min-free: 0\n",
        "");
  }
}
