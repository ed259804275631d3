package org.mirrordirector.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mirrordirector.ops.demo.ZooKeeperEnsemble;
import org.mirrordirector.ops.node.Node;
import org.mirrordirector.ops.node.NodeConfigFile;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Benchmark (not a test): how long a publication takes to reach every director replica. A real
 * ZooKeeper ensemble of server processes (three voters, two observers), the active node over the
 * voters, R replicas split over the two observers, each reading through its observer alone. The
 * upstream changes 1 % of its packages N times; each time, from the moment the active node records
 * the new snapshot as current (its publishedAtMillis) to the moment each replica routes on it: its
 * view names it current and its own verified index copy is that snapshot. Run by
 * ops/bench/replica-bench.sh.
 */
public final class ReplicaBench {
  private ReplicaBench() {}

  public static void main(String[] args) throws Exception {
    int publications = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int replicaCount = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int packages = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    Path dir = Files.createTempDirectory("replica-bench");
    TestArchive upstream =
        TestArchive.create(
            dir, GeneratorOptions.small(dir.resolve("upstream"), packages, 7).withByHash(true));
    List<Node> nodes = new ArrayList<>();
    try (ZooKeeperEnsemble zk =
            new ZooKeeperEnsemble(dir.resolve("zk"), 3, 2, () -> TestNodes.freePort("127.0.0.1"))
                .startAll();
        RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root)) {
      // The nodes stop first, then the servers they talk to.
      try {
        zk.awaitServing(Duration.ofSeconds(60));
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
        await(() -> a.view().current() != null, "the first publication");
        List<Node> replicas = new ArrayList<>();
        for (int i = 0; i < replicaCount; i++) {
          Node r =
              Node.start(
                  NodeConfigFile.load(
                      TestNodes.replica(
                          dir,
                          "replica-" + i,
                          "region-" + (i % 2),
                          "127.0.0.1",
                          zk.connect(4 + i % 2),
                          upstreamd.url(),
                          upstream.keyring,
                          "http://127.0.0.1:" + a.port() + "/raspbian/")));
          nodes.add(r);
          replicas.add(r);
        }
        String first = a.view().current().snapshot();
        for (Node r : replicas) {
          await(() -> routesOn(r, first), "replicas at the first snapshot");
        }
        System.out.printf(
            Locale.ROOT,
            "%d replicas behind 2 observers (3 voters), %d packages, %d publications of 1 %%%n",
            replicaCount,
            packages,
            publications);
        List<Double> all = new ArrayList<>();
        List<Double> slowest = new ArrayList<>();
        for (int p = 1; p <= publications; p++) {
          String before = a.view().current().snapshot();
          ArchiveGenerator.generate(
              GeneratorOptions.small(upstream.root, 0, 7)
                  .withByHash(true)
                  .withUpdateFrom(upstream.root, 1));
          a.sync().trigger();
          await(() -> !before.equals(a.view().current().snapshot()), "publication " + p);
          String s = a.view().current().snapshot();
          long recorded = a.view().current().publishedAtMillis();
          double[] lag = new double[replicas.size()];
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          int left = replicas.size();
          while (left > 0) {
            for (int i = 0; i < replicas.size(); i++) {
              if (lag[i] == 0 && routesOn(replicas.get(i), s)) {
                lag[i] = Math.max(1, System.currentTimeMillis() - recorded);
                left--;
              }
            }
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("publication " + p + " did not reach every replica");
            }
            Thread.sleep(5);
          }
          for (double l : lag) {
            all.add(l);
          }
          slowest.add(Arrays.stream(lag).max().orElseThrow());
        }
        report("per replica and publication", all);
        report("the slowest replica of each publication (every replica routing on it)", slowest);
      } finally {
        for (Node n : nodes) {
          n.close();
        }
      }
    }
  }

  static boolean routesOn(Node r, String snapshot) throws Exception {
    return r.view().current() != null
        && snapshot.equals(r.view().current().snapshot())
        && r.localSnapshot().filter(snapshot::equals).isPresent();
  }

  static void report(String what, List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    s.sort(null);
    System.out.printf(
        Locale.ROOT,
        "%s: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d)%n",
        what,
        s.get((int) Math.floor(0.5 * (s.size() - 1))),
        s.get((int) Math.ceil(0.99 * (s.size() - 1))),
        s.get(s.size() - 1),
        s.size());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check c, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!c.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
