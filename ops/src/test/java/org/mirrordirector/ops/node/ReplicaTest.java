package org.mirrordirector.ops.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.ops.TestNodes;
import org.mirrordirector.ops.cli.Mirrorctl;
import org.mirrordirector.ops.common.Trees;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * A director replica ({@code node.role: replica}) beside a writer node, over a real ZooKeeper, a
 * real rsync daemon (the writer's module) and real apt-get: it copies the indexes alone, routes
 * with the writer's code, sends what no mirror qualifies for to the writer, writes nothing to the
 * registry but its presence, keeps serving from its last-known-good view without ZooKeeper, and
 * starts again from an empty directory.
 */
public class ReplicaTest {
  @TempDir Path dir;

  @Test
  void aReplicaCopiesTheIndexesAloneAndRoutesLikeTheWriter() throws Exception {
    TestArchive upstream =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 3).withByHash(true));
    List<Node> nodes = new ArrayList<>();
    try (TestingServer zk = new TestingServer(true);
        RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        StaticHttpServer mirror = new StaticHttpServer(upstream.root)) {
      // The nodes stop first, then the servers they talk to.
      try {
        Path configA =
            TestNodes.write(
                dir,
                "node-a",
                "127.0.0.1",
                zk.getConnectString(),
                upstreamd.url(),
                upstream.keyring,
                "",
                "");
        Node a = Node.start(NodeConfigFile.load(configA));
        nodes.add(a);
        NodeTest.await("a publishes and records its snapshot", () -> a.view().current() != null);
        String fallback = "http://127.0.0.1:" + a.port() + "/raspbian/";
        Path configR =
            TestNodes.replica(
                dir,
                "replica-1",
                "ap-south",
                "127.0.0.1",
                zk.getConnectString(),
                upstreamd.url(),
                upstream.keyring,
                fallback);
        Node r = Node.start(NodeConfigFile.load(configR));
        nodes.add(r);
        NodeTest.await(
            "the replica is ready at a's snapshot, in a's view",
            () -> {
              NodeInfo n = a.view().nodes().get("replica-1");
              return n != null && n.ready() && n.snapshot().equals(a.view().current().snapshot());
            });
        NodeInfo seen = a.view().nodes().get("replica-1");
        assertThat(seen.role()).isEqualTo(Role.REPLICA);
        assertThat(seen.region()).isEqualTo("ap-south");
        assertThat(r.leadership()).isNull();
        assertThat(a.view().leader()).isEqualTo("node-a");
        assertThat(r.sync().stats().last().upstream())
            .as("the replica copies the active node's module")
            .isEqualTo(a.rsyncUrl().orElseThrow());
        Path tree = dir.resolve("replica-1/archive/current");
        assertThat(tree.resolve("dists/bookworm/InRelease")).exists();
        assertThat(tree.resolve("pool")).doesNotExist();
        assertThat(NodeHttp.get(r, "/leader")).isEqualTo(503);
        assertThat(NodeHttp.get(r, "/ready")).isEqualTo(200);

        // No mirror yet: the replica holds no pool, so it sends everything to the writer.
        String pkg = poolPath(upstream);
        assertThat(NodeHttp.location(r, "/raspbian/dists/bookworm/InRelease"))
            .isEqualTo(fallback + "dists/bookworm/InRelease");
        assertThat(NodeHttp.location(r, "/raspbian/" + pkg)).isEqualTo(fallback + pkg);

        // A mirror added on the writer: the replica routes to it with the writer's code.
        String base = mirror.base().toString();
        ReplicaTest.addMirror(dir, a, "m1", base);
        NodeTest.await(
            "the replica sends InRelease and pool files to m1",
            () ->
                (base + "dists/bookworm/InRelease")
                        .equals(NodeHttp.location(r, "/raspbian/dists/bookworm/InRelease"))
                    && (base + pkg).equals(NodeHttp.location(r, "/raspbian/" + pkg)));
        assertThat(NodeHttp.location(r, "/raspbian/" + pkg))
            .isEqualTo(NodeHttp.location(a, "/raspbian/" + pkg));

        // Real apt through the replica (armhf: the generated archive's architecture).
        Apt apt = new Apt(dir.resolve("apt"));
        apt.sources(
            "deb [signed-by="
                + upstream.keyring
                + "] http://127.0.0.1:"
                + r.port()
                + "/raspbian/ bookworm main");
        apt.run("update");
        apt.run("download", upstream.firstField("main/binary-armhf/Packages", "Package"));
        try (Stream<Path> s = Files.list(apt.downloads())) {
          assertThat(s.filter(p -> p.toString().endsWith(".deb")).count()).isEqualTo(1);
        }

        // The writer's status lists the replica with its region.
        String status = run("status", "--url", "http://127.0.0.1:" + a.port());
        assertThat(status).containsPattern("replica-1 +REPLICA +ready +ap-south ");
        assertThat(NodeHttp.body(a, "/status")).contains("REPLICA (ap-south)");

        // Steady state: the replica wrote its presence once per change, no heartbeat.
        long writes = r.replicaPresence().writes();
        Thread.sleep(3000);
        assertThat(r.replicaPresence().writes()).isEqualTo(writes);
        String metrics = NodeHttp.body(r, "/metrics");
        assertThat(metrics)
            .contains("md_registry_view_rebuilds_total{kind=\"presence\"}")
            .contains("md_registry_view_rebuilds_total{kind=\"routing\"}")
            .contains("md_registry_events_total")
            .doesNotContain("md_probe_rounds_total");

        // ZooKeeper gone: the replica keeps routing from its last-known-good view, and says so.
        zk.stop();
        NodeTest.await(
            "the replica's view is the last known good",
            () -> r.view().servingFrom() == ViewSource.LAST_KNOWN_GOOD);
        assertThat(NodeHttp.location(r, "/raspbian/" + pkg)).isEqualTo(base + pkg);
        assertThat(NodeHttp.body(r, "/status.json")).contains("\"source\" : \"LAST_KNOWN_GOOD\"");
        zk.restart();
        NodeTest.await(
            "the replica's view is live again", () -> r.view().servingFrom() == ViewSource.LIVE);

        // A replica started again from an empty directory copies the indexes and routes again.
        r.close();
        nodes.remove(r);
        NodeTest.await(
            "the replica's presence is gone", () -> !a.view().nodes().containsKey("replica-1"));
        Trees.deleteTree(dir.resolve("replica-1"));
        Node again = Node.start(NodeConfigFile.load(configR));
        nodes.add(again);
        NodeTest.await(
            "the new replica routes to m1",
            () -> (base + pkg).equals(NodeHttp.location(again, "/raspbian/" + pkg)));
        NodeTest.await(
            "and is ready in a's view",
            () ->
                a.view().nodes().containsKey("replica-1")
                    && a.view().nodes().get("replica-1").ready());
      } finally {
        for (Node n : nodes) {
          n.close();
        }
      }
    }
  }

  /** Adds a mirror through the writer's admin API, as an operator does (mirrorctl mirrors add). */
  public static void addMirror(Path dir, Node writer, String id, String base) {
    run(
        "mirrors",
        "add",
        id,
        "--url",
        "http://127.0.0.1:" + writer.port(),
        "--token-file",
        dir.resolve("token").toString(),
        "--http",
        base,
        "--country",
        "FR");
  }

  /** The pool path of the first package (relative to the archive root). */
  public static String poolPath(TestArchive a) throws IOException {
    return a.firstField("main/binary-armhf/Packages", "Filename");
  }

  public static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mirrorctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
    return out.toString();
  }
}
