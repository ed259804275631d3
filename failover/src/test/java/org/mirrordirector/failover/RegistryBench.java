package org.mirrordirector.failover;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;

/**
 * Benchmark (not a test): the registry's load in steady state. A real ZooKeeper server, the writer
 * pair (an active and a standby node, each writing its heartbeat every second), M mirrors with
 * their states and three snapshots, and R readers, each with its own ZooKeeper session, a {@link
 * RegistryReader} and a presence znode of its own (ephemeral), as a director replica has. With
 * {@code replicaHeartbeatMs} > 0 each reader also rewrites its presence znode that often, as a
 * replica built as a full node would. Over the measured seconds it reports the znode writes per
 * second (counted by one more session watching the whole tree), and per reader: the views handed to
 * listeners and the routing tables rebuilt (views whose mirror map is a new one), per second, and
 * the CPU of the readers' rebuild threads. It uses only what every version of the reader has, so
 * that the same class measures before and after. Run by ops/bench/registry-bench.sh.
 */
public final class RegistryBench {
  private RegistryBench() {}

  public static void main(String[] args) throws Exception {
    int mirrors = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int readers = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    long replicaHeartbeatMs = args.length > 3 ? Long.parseLong(args[3]) : 0;
    Duration s = Duration.ofSeconds(4);
    Path dir = Files.createTempDirectory("registry-bench");
    try (TestingServer zk = Ensembles.server();
        Node active = new Node("writer-a", zk.getConnectString(), s).start()) {
      active.awaitRole(Role.ACTIVE, Duration.ofSeconds(10));
      try (Node standby = new Node("writer-b", zk.getConnectString(), s).start()) {
        standby.awaitRole(Role.STANDBY, Duration.ofSeconds(10));
        fill(active.writer, mirrors);
        List<CuratorFramework> clients = new ArrayList<>();
        List<RegistryReader> views = new ArrayList<>();
        List<Counts> counts = new ArrayList<>();
        try {
          for (int i = 0; i < readers; i++) {
            String id = "replica-" + i;
            CuratorFramework c =
                ZooKeeperClients.start(
                    zk.getConnectString(), LeadershipConfig.withSessionTimeout(id, id, s));
            clients.add(c);
            ZooKeeperClients.awaitConnected(c, Duration.ofSeconds(10));
            c.create()
                .creatingParentsIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath(RegistryPaths.defaults().node(id), presence(id, 0));
            RegistryReader r =
                new RegistryReader(c, RegistryPaths.defaults(), dir.resolve(id + ".json"), id);
            Counts k = new Counts();
            r.addListener(k::seen, Runnable::run);
            r.start();
            views.add(r);
            counts.add(k);
          }
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          for (RegistryReader r : views) {
            while (r.view().mirrors().size() < mirrors) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a reader never saw every mirror");
              }
              Thread.sleep(20);
            }
          }
          Thread.sleep(3000);
          measure(zk, clients, counts, mirrors, seconds, replicaHeartbeatMs);
        } finally {
          for (RegistryReader r : views) {
            r.close();
          }
          for (CuratorFramework c : clients) {
            c.close();
          }
        }
      }
    }
  }

  /** What one reader's listener saw. */
  static final class Counts {
    final AtomicLong views = new AtomicLong();
    final AtomicLong routing = new AtomicLong();
    private Map<String, MirrorView> last;

    synchronized void seen(ClusterView v) {
      views.incrementAndGet();
      if (v.mirrors() != last) {
        routing.incrementAndGet();
        last = v.mirrors();
      }
    }
  }

  static byte[] presence(String id, long heartbeat) {
    return RegistryCodec.encode(
        new NodeInfo(id, id + ".example:8080", Role.NEUTRAL, 0, true, heartbeat, null, null));
  }

  static void fill(RegistryWriter w, int mirrors) throws Exception {
    String sha = "ab".repeat(32);
    for (int i = 0; i < mirrors; i++) {
      String id = "mirror-" + i;
      w.putMirror(
          new MirrorConfig(
              id,
              Map.of("http", "http://" + id + ".example/raspbian/"),
              "DE",
              "EU",
              50.0,
              8.0,
              3320L,
              List.of(),
              100,
              List.of(),
              true,
              false));
      w.putMirrorState(
          new MirrorState(
              id,
              Map.of(
                  "http",
                  Map.of("bookworm", new SuiteState(sha, Health.OK, 12L, 1000L, null, null, null))),
              1000));
    }
    for (int i = 1; i <= 3; i++) {
      w.publish(
          new SnapshotRecord(
              "snap-" + i,
              Map.of("bookworm", new SuiteSnapshot(String.format(Locale.ROOT, "%064x", i), i)),
              i),
          i);
    }
  }

  static void measure(
      TestingServer zk,
      List<CuratorFramework> clients,
      List<Counts> counts,
      int mirrors,
      int seconds,
      long replicaHeartbeatMs)
      throws Exception {
    AtomicLong writes = new AtomicLong();
    java.util.concurrent.CountDownLatch loaded = new java.util.concurrent.CountDownLatch(1);
    CuratorFramework watcher =
        ZooKeeperClients.start(
            zk.getConnectString(),
            LeadershipConfig.withSessionTimeout("watcher", "watcher", Duration.ofSeconds(4)));
    try (CuratorCache all = CuratorCache.build(watcher, RegistryPaths.DEFAULT_ROOT)) {
      all.listenable()
          .addListener(
              CuratorCacheListener.builder()
                  .forAll((type, before, after) -> writes.incrementAndGet())
                  .forInitialized(loaded::countDown)
                  .build());
      all.start();
      // The initial load is not writes: count from the moment the tree is loaded.
      if (!loaded.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException("the watching session never loaded the tree");
      }
      Thread.sleep(2000);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long writes0 = writes.get();
      long views0 = counts.stream().mapToLong(k -> k.views.get()).sum();
      long routing0 = counts.stream().mapToLong(k -> k.routing.get()).sum();
      long cpu0 = rebuildCpuNanos(threads);
      long t0 = System.nanoTime();
      long end = t0 + Duration.ofSeconds(seconds).toNanos();
      long nextBeat = t0;
      while (System.nanoTime() < end) {
        if (replicaHeartbeatMs > 0 && System.nanoTime() >= nextBeat) {
          for (int i = 0; i < clients.size(); i++) {
            String id = "replica-" + i;
            clients
                .get(i)
                .setData()
                .forPath(
                    RegistryPaths.defaults().node(id), presence(id, System.currentTimeMillis()));
          }
          nextBeat += replicaHeartbeatMs * 1_000_000L;
        }
        Thread.sleep(10);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long dWrites = writes.get() - writes0;
      long dViews = counts.stream().mapToLong(k -> k.views.get()).sum() - views0;
      long dRouting = counts.stream().mapToLong(k -> k.routing.get()).sum() - routing0;
      long dCpu = rebuildCpuNanos(threads) - cpu0;
      int readers = counts.size();
      System.out.printf(
          Locale.ROOT,
          "%d mirrors, %d readers, replica heartbeat %s, %.1f s measured%n"
              + "znode writes: %.2f/s%n"
              + "per reader: views to listeners %.2f/s, routing tables rebuilt %.2f/s,"
              + " rebuild thread CPU %.2f ms/s%n",
          mirrors,
          readers,
          replicaHeartbeatMs > 0 ? replicaHeartbeatMs + " ms" : "none (presence only)",
          secs,
          dWrites / secs,
          dViews / secs / readers,
          dRouting / secs / readers,
          dCpu / 1e6 / secs / readers);
    } finally {
      watcher.close();
    }
  }

  /** CPU used so far by every reader's rebuild thread ("registry-view-..."). */
  static long rebuildCpuNanos(ThreadMXBean threads) {
    long sum = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith("registry-view-")) {
        long c = threads.getThreadCpuTime(t.getThreadId());
        if (c > 0) {
          sum += c;
        }
      }
    }
    return sum;
  }
}
