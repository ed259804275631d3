package org.mirrordirector.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.ops.demo.ZooKeeperEnsemble;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.ops.node.NodeHttp;
import org.mirrordirector.ops.node.NodeTest;
import org.mirrordirector.ops.node.ReplicaTest;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Replicas in two regions, each reading the registry through its own ZooKeeper observer alone, of
 * an ensemble of real server processes (three voters, two observers): a publication reaches both
 * while real apt clients use one, none of their operations failing; with the voters' quorum lost,
 * both keep redirecting from their last-known-good view, and follow the registry again once it is
 * back. {@link ReplicaTest} is its twin on one in-process server.
 */
class ReplicaObserverTest {
  @TempDir Path dir;

  @Test
  void replicasBehindObserversFollowPublicationsAndOutliveTheQuorum() throws Exception {
    TestArchive upstream =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 5).withByHash(true));
    // m1 keeps the first snapshot: a mirror that has not synced the rollout yet.
    Path m1tree = dir.resolve("m1");
    assertThat(
            new ProcessBuilder("cp", "-a", upstream.root.toString(), m1tree.toString())
                .inheritIO()
                .start()
                .waitFor())
        .isZero();
    List<Node> nodes = new ArrayList<>();
    try (ZooKeeperEnsemble zk =
            new ZooKeeperEnsemble(dir.resolve("zk"), 3, 2, () -> TestNodes.freePort("127.0.0.1"))
                .startAll();
        RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        StaticHttpServer mirror = new StaticHttpServer(m1tree)) {
      // The nodes stop first, then the servers they talk to.
      try {
        zk.awaitServing(Duration.ofSeconds(60));
        assertThat(zk.mode(4)).isEqualTo("observer");
        assertThat(zk.mode(5)).isEqualTo("observer");
        Node a =
            Node.start(
                NodeConfigFile.load(
                    TestNodes.write(
                        dir,
                        "node-a",
                        "127.0.0.1",
                        zk.connect(1, 2, 3),
                        upstreamd.url(),
                        upstream.keyring,
                        "",
                        "")));
        nodes.add(a);
        NodeTest.await("a publishes and records its snapshot", () -> a.view().current() != null);
        String fallback = "http://127.0.0.1:" + a.port() + "/raspbian/";
        List<Node> replicas = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
          Node r =
              Node.start(
                  NodeConfigFile.load(
                      TestNodes.replica(
                          dir,
                          "replica-" + i,
                          "region-" + i,
                          "127.0.0.1",
                          zk.connect(3 + i),
                          upstreamd.url(),
                          upstream.keyring,
                          fallback)));
          nodes.add(r);
          replicas.add(r);
        }
        String base = mirror.base().toString();
        ReplicaTest.addMirror(dir, a, "m1", base);
        String pkg = ReplicaTest.poolPath(upstream);
        for (Node r : replicas) {
          NodeTest.await(
              r.config().node().id() + " routes to m1 through its observer",
              () ->
                  (base + pkg).equals(NodeHttp.location(r, "/raspbian/" + pkg))
                      && (base + "dists/bookworm/InRelease")
                          .equals(NodeHttp.location(r, "/raspbian/dists/bookworm/InRelease")));
        }

        // A new publication reaches both regions (their index copies and their routing) while
        // real apt clients update and download through one replica: none fails.
        String before = a.view().current().snapshot();
        AptLoops loops =
            new AptLoops(
                    dir.resolve("apt-loops"),
                    "deb [signed-by="
                        + upstream.keyring
                        + "] http://127.0.0.1:"
                        + replicas.get(0).port()
                        + "/raspbian/ bookworm main",
                    2,
                    2,
                    16)
                .start();
        NodeTest.await("apt has run before the rollout", () -> loops.operations() >= 4);
        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 5)
                .withByHash(true)
                .withUpdateFrom(upstream.root, 10));
        a.sync().trigger();
        NodeTest.await(
            "a publishes the new snapshot", () -> !before.equals(a.view().current().snapshot()));
        String after = a.view().current().snapshot();
        for (Node r : replicas) {
          String id = r.config().node().id();
          NodeTest.await(
              id + " holds the new indexes and sends InRelease to the writers (m1 is behind)",
              () -> {
                NodeInfo n = a.view().nodes().get(id);
                return after.equals(r.view().current().snapshot())
                    && n != null
                    && after.equals(n.snapshot())
                    && (fallback + "dists/bookworm/InRelease")
                        .equals(NodeHttp.location(r, "/raspbian/dists/bookworm/InRelease"));
              });
        }
        int atRollout = loops.operations();
        NodeTest.await("apt has run after the rollout", () -> loops.operations() >= atRollout + 4);
        loops.close();
        assertThat(loops.failures()).isEmpty();
        assertThat(loops.inReleases()).as("apt saw both snapshots").hasSizeGreaterThanOrEqualTo(2);

        // One region cut off from the voters (its observer runs on): its replica keeps
        // redirecting from its last-known-good view while the other region follows a new
        // publication; mended, the cut-off replica catches up.
        zk.cut(4);
        Node cutOff = replicas.get(0);
        Node other = replicas.get(1);
        NodeTest.await(
            "replica-1 serves from its last-known-good view",
            () -> cutOff.view().servingFrom() == ViewSource.LAST_KNOWN_GOOD);
        assertThat(other.view().servingFrom()).isEqualTo(ViewSource.LIVE);
        assertThat(NodeHttp.location(cutOff, "/raspbian/" + pkg)).isEqualTo(base + pkg);
        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 5)
                .withByHash(true)
                .withUpdateFrom(upstream.root, 10));
        a.sync().trigger();
        NodeTest.await(
            "a publishes a third snapshot", () -> !after.equals(a.view().current().snapshot()));
        String third = a.view().current().snapshot();
        NodeTest.await("replica-2 routes on it", () -> ReplicaBench.routesOn(other, third));
        assertThat(cutOff.view().current().snapshot()).isEqualTo(after);
        assertThat(NodeHttp.location(cutOff, "/raspbian/" + pkg)).isEqualTo(base + pkg);
        // Its session gone, the writers still name it, and mirrorctl status asks it directly.
        NodeTest.await(
            "replica-1's presence expires", () -> !a.view().nodes().containsKey("replica-1"));
        String status = ReplicaTest.run("status", "--url", "http://127.0.0.1:" + a.port());
        assertThat(status)
            .containsPattern(
                "replica-1 +REPLICA +- +region-1 .*NOT CONNECTED for .*its view: LAST_KNOWN_GOOD")
            .containsPattern("replica-2 +REPLICA +ready +region-2 .*its view: LIVE");
        assertThat(NodeHttp.body(a, "/status")).contains("not connected", "gone for");
        zk.restore(4);
        NodeTest.await(
            "replica-1 catches up once its region is back",
            () ->
                cutOff.view().servingFrom() == ViewSource.LIVE
                    && ReplicaBench.routesOn(cutOff, third));

        // The voters' quorum lost: the observers stop serving, the replicas keep redirecting.
        zk.kill(1);
        zk.kill(2);
        for (Node r : replicas) {
          NodeTest.await(
              r.config().node().id() + " serves from its last-known-good view",
              () -> r.view().servingFrom() == ViewSource.LAST_KNOWN_GOOD);
          assertThat(NodeHttp.location(r, "/raspbian/" + pkg)).isEqualTo(base + pkg);
          // m1 is still behind: the new InRelease is the writers' to give.
          assertThat(NodeHttp.location(r, "/raspbian/dists/bookworm/InRelease"))
              .isEqualTo(fallback + "dists/bookworm/InRelease");
          assertThat(NodeHttp.body(r, "/status.json")).contains("LAST_KNOWN_GOOD");
        }
        zk.start(1);
        zk.start(2);
        for (Node r : replicas) {
          NodeTest.await(
              r.config().node().id() + " follows the registry again",
              () -> r.view().servingFrom() == ViewSource.LIVE);
        }
      } finally {
        for (Node n : nodes) {
          n.close();
        }
      }
    }
  }
}
