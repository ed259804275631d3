package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mirrordirector.ops.cli.MirrorctlTest.mirrorctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.ops.cli.MirrorctlTest.Run;
import org.mirrordirector.ops.hosting.Haproxy;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.ops.node.NodeTest;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * An IPv6-only backend, as the hosting runs it: the upstream's rsync daemon, the node (director,
 * embedded ZooKeeper, its own rsync module), HAProxy in front of it and one nginx mirror all on
 * {@code ::1} only; a second nginx mirror on 127.0.0.1 only. Real apt reaches the director over
 * {@code [::1]} through HAProxy, whose X-Forwarded-For and -Proto the node believes because ::1 is
 * its trusted proxy; the IPv4-only mirror is probed, found without IPv6, and never given to apt.
 *
 * <p>Skipped without haproxy or nginx (the test command installs both as root). Its twins without
 * them: {@code Ipv6ClientsTest} (the director on ::1, a balancer's headers believed, no client sent
 * to a mirror without IPv6), {@code FamilyCheckTest} and {@code ProbeServiceTest} (probing per
 * family against Jetty mirrors on 127.0.0.1 and ::1).
 */
class Ipv6OnlyTest {

  @TempDir Path dir;

  @Test
  void aNodeOnIpv6OnlyServesAptThroughHaproxyAndNeverSendsItToAnIpv4OnlyMirror() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy is not installed");
    assumeTrue(Nginx.available(), "nginx is not installed");
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 61));
    // A second archive on the node, with its own key, upstream on ::1 too.
    TestArchive second =
        TestArchive.create(
            java.nio.file.Files.createDirectories(dir.resolve("second")),
            GeneratorOptions.small(dir.resolve("debian-up"), 10, 62)
                .withComponents(List.of("main"))
                .withKey("second-archive", false));
    try (RsyncDaemon rsyncd = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root, "::1");
        RsyncDaemon secondd = new RsyncDaemon(dir.resolve("rsyncd2"), second.root, "::1");
        Nginx v6 = new Nginx(dir.resolve("nginx6"), upstream.root, List.of("::1"));
        Nginx v4 = new Nginx(dir.resolve("nginx4"), upstream.root, List.of("127.0.0.1"));
        Node node =
            Node.start(
                NodeConfigFile.load(
                    config(rsyncd.url(), upstream.keyring, secondd.url(), second)))) {
      assertThat(rsyncd.url()).startsWith("rsync://[::1]:");
      assertThat(node.config().zookeeper().connectString()).startsWith("[::1]:");
      NodeTest.await("the node leads", () -> node.leadership().isServingAsLeader());
      NodeTest.await(
          "it syncs both archives from [::1] and publishes",
          () -> node.view().current() != null && node.view("debian").get().current() != null);
      assertThat(node.rsyncUrl())
          .hasValueSatisfying(u -> assertThat(u).startsWith("rsync://[::1]:"));
      String admin = "http://[::1]:" + node.port();
      for (String[] m : new String[][] {{"v6", v6.base("::1")}, {"v4", v4.base("127.0.0.1")}}) {
        Run r =
            mirrorctl(
                "mirrors",
                "add",
                m[0],
                "--url",
                admin,
                "--token-file",
                dir.resolve("token").toString(),
                "--http",
                m[1],
                "--country",
                "GB");
        assertThat(r.code()).as(r.err()).isZero();
      }
      NodeTest.await(
          "both mirrors are probed OK, each over its one family",
          () -> ok(node, "v6") && ok(node, "v4"));
      MirrorState s4 = node.view().mirrors().get("v4").state();
      MirrorState s6 = node.view().mirrors().get("v6").state();
      assertThat(s4.serves(false)).isTrue();
      assertThat(s4.serves(true)).isFalse();
      assertThat(s4.families().get("ipv6").detail()).startsWith("no IPv6 address");
      assertThat(s6.serves(true)).isTrue();
      assertThat(s6.serves(false)).isFalse();

      int front = freePort();
      try (Haproxy haproxy =
          new Haproxy(dir.resolve("haproxy"), "::1", front, List.of(node.port()))) {
        String base = "http://[::1]:" + front + "/raspbian/";
        NodeTest.await(
            "HAProxy sees the node lead", () -> status(base + "dists/bookworm/InRelease") == 302);
        JsonNode explain =
            new ObjectMapper().readTree(body(base + "dists/bookworm/InRelease?explain"));
        assertThat(explain.get("client").get("address").asText())
            .as("HAProxy's X-Forwarded-For, believed from ::1")
            .isEqualTo("::1");
        assertThat(explain.get("chosen").asText()).isEqualTo("v6");
        for (JsonNode c : explain.get("candidates")) {
          if (c.get("mirror").asText().equals("v4")) {
            assertThat(c.get("reason").asText())
                .startsWith("the client came over IPv6, and the mirror has no working IPv6");
          }
        }

        Apt apt = new Apt(dir.resolve("apt"));
        apt.sourcesFile(
            "six.list",
            "deb [signed-by="
                + upstream.keyring
                + "] "
                + base
                + " bookworm main\ndeb [signed-by="
                + second.keyring
                + "] http://[::1]:"
                + front
                + "/debian/ bookworm main\n");
        apt.run("update");
        apt.run(
            "download",
            upstream.firstField("main/binary-armhf/Packages", "Package"),
            second.firstField("main/binary-armhf/Packages", "Package"));
        assertThat(v6.log()).as("apt went to the IPv6 mirror").contains("Debian APT-HTTP");
        assertThat(v4.log())
            .as("the IPv4-only mirror was probed, never given to apt")
            .contains("mirrordirector-prober")
            .doesNotContain("Debian APT-HTTP");

        // A hot spare on ::1 too (both archives): it joins through ZooKeeper at [::1] and
        // copies the active node's tree from its rsync module at rsync://[::1]:PORT/archive/.
        try (Node spare =
            Node.start(
                NodeConfigFile.load(
                    config(
                        "spare",
                        node.config().zookeeper().connectString(),
                        rsyncd.url(),
                        upstream.keyring)))) {
          NodeTest.await(
              "the spare is ready at the active node's snapshot, copied over IPv6",
              () ->
                  spare.view().nodes().containsKey("spare")
                      && spare.view().nodes().get("spare").ready()
                      && node.view()
                          .current()
                          .snapshot()
                          .equals(spare.view().nodes().get("spare").snapshot()));
          assertThat(spare.sync().stats().last().upstream())
              .isEqualTo(node.rsyncUrl().orElseThrow());
          NodeTest.await(
              "the spare copies the second archive from its module over IPv6",
              () ->
                  spare.sync("debian").get().stats().last() != null
                      && spare
                          .sync("debian")
                          .get()
                          .stats()
                          .last()
                          .upstream()
                          .equals(node.rsyncUrl().orElseThrow().replace("/archive/", "/debian/")));
        }
        // A director replica on ::1: the indexes copied over IPv6 from the active node's module,
        // an IPv6 client sent to the IPv6 mirror, as the writers do.
        try (Node replica =
            Node.start(
                NodeConfigFile.load(
                    TestNodes.replica(
                        dir,
                        "replica-6",
                        "v6-region",
                        "::1",
                        node.config().zookeeper().connectString(),
                        rsyncd.url(),
                        upstream.keyring,
                        base)))) {
          String pkg = upstream.firstField("main/binary-armhf/Packages", "Filename");
          String at = "http://[::1]:" + replica.port() + "/raspbian/";
          NodeTest.await(
              "the replica routes an IPv6 client to the IPv6 mirror",
              () ->
                  status(at + pkg) == 302
                      && new ObjectMapper()
                          .readTree(body(at + pkg + "?explain"))
                          .get("chosen")
                          .asText()
                          .equals("v6"));
          NodeTest.await(
              "the replica copies the indexes over IPv6 from the active node's module",
              () ->
                  replica.sync().stats().last() != null
                      && node.rsyncUrl()
                          .orElseThrow()
                          .equals(replica.sync().stats().last().upstream())
                      && replica.localSnapshot().isPresent());
        }
      }
    }
  }

  private static boolean ok(Node n, String mirror) {
    var m = n.view().mirrors().get(mirror);
    return m != null
        && m.state() != null
        && !m.state().families().isEmpty()
        && m.state().suite("http", "bookworm").map(s -> s.health() == Health.OK).orElse(false);
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private static int status(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String body(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private String secondUpstream;
  private Path secondKeyring;

  /** The node: two archives, the second under /debian/. */
  private Path config(String upstream, Path keyring, String second, TestArchive secondArchive)
      throws IOException {
    secondUpstream = second;
    secondKeyring = secondArchive.keyring;
    return config("six", "", upstream, keyring);
  }

  /** A node on ::1 only; {@code zk} empty: its own embedded ZooKeeper, on ::1. */
  private Path config(String id, String zk, String upstream, Path keyring) throws IOException {
    return TestNodes.write(
        dir,
        id,
        "::1",
        zk,
        upstream,
        keyring,
        secondUpstream == null
            ? ""
            : "archives:\n  - name: debian\n    root: /debian/\n    upstream: \""
                + secondUpstream
                + "\"\n    suites: [bookworm]\n    keyring: "
                + secondKeyring
                + "\n    sync-interval: 1s\n    min-free: 0\n",
        "  trusted-proxies: [\"::1/128\"]\n");
  }

  private static int freePort() throws IOException {
    return TestNodes.freePort("::1");
  }
}
