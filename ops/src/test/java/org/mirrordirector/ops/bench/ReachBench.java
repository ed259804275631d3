package org.mirrordirector.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.ops.Nginx;
import org.mirrordirector.sync.probe.ReachSettings;
import org.mirrordirector.sync.probe.ReachWatch;

/**
 * Benchmark (not a test) of the quick check, at its default settings (a GET of 4 KiB each second,
 * 500 ms least wait, two answers to come back), over a real ZooKeeper in process:
 *
 * <ul>
 *   <li>{@code drops DIR TRIALS LANES}: real nginx mirrors on 127.0.0.1 stopped (TERM: nginx's fast
 *       shutdown), killed (KILL, master and worker: the kernel ends their connections) and paused
 *       (STOP: the kernel still accepts, nothing answers) and slowed to 100 bytes a second (SLOW:
 *       nginx's limit_rate, reloaded: the headers come, the body stalls), TRIALS times each, LANES
 *       mirrors at once, each fault at a random moment of the check's second; the time from the
 *       signal to the registry view (what every director routes from) having the mirror out of
 *       routing;
 *   <li>{@code rate MIRRORS SECONDS}: MIRRORS mirrors on one Jetty server that counts the checks
 *       (each answered with 4 KiB); the check's requests per second and mirror, its connections,
 *       and the CPU of its threads.
 * </ul>
 *
 * Run by ops/bench/reach-bench.sh.
 */
public final class ReachBench {
  private static final byte[] BODY = new byte[4096];

  private ReachBench() {}

  public static void main(String[] args) throws Exception {
    try {
      if (args[0].equals("drops")) {
        drops(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      } else {
        rate(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1); // the threads it started would keep the JVM running
    }
    System.exit(0);
  }

  /** A registry with a leader, a reader (a director's view) and the leader's quick check. */
  private static final class Cluster implements AutoCloseable {
    final TestingServer zk = new TestingServer(true);
    final RegistryPaths paths = RegistryPaths.defaults();
    final LeadershipConfig config =
        LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(10));
    final CuratorFramework client = ZooKeeperClients.start(zk.getConnectString(), config);
    final CuratorFramework readerClient =
        ZooKeeperClients.start(
            zk.getConnectString(),
            LeadershipConfig.withSessionTimeout("r", "r:1", Duration.ofSeconds(10)));
    final Leadership leadership = new Leadership(client, paths, config);
    final RegistryReader reader = new RegistryReader(readerClient, paths, null, "r");
    final RegistryWriter writer;
    ReachWatch watch;

    Cluster() throws Exception {
      reader.start();
      leadership.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(leadership.role() == Role.ACTIVE && leadership.isServingAsLeader())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("never the leader");
        }
        Thread.sleep(20);
      }
      writer = new RegistryWriter(leadership, paths);
    }

    void put(String id, String base) throws Exception {
      writer.putMirror(
          new MirrorConfig(
              id,
              Map.of("http", base),
              "GB",
              "EU",
              null,
              null,
              null,
              List.of(),
              100,
              List.of(),
              true,
              false));
    }

    void check() throws Exception {
      watch =
          new ReachWatch(
                  ReachSettings.defaults(),
                  new HappyEyeballs(),
                  null,
                  leadership,
                  paths,
                  reader::view,
                  List.of("bookworm"),
                  2,
                  () -> {},
                  Clock.systemUTC())
              .start();
      reader.addListener(v -> watch.refresh(), Runnable::run);
    }

    void awaitMirrors(int n) throws InterruptedException {
      while (reader.view().mirrors().size() < n) {
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws Exception {
      if (watch != null) {
        watch.close();
      }
      reader.close();
      leadership.close();
      readerClient.close();
      client.close();
      zk.close();
    }
  }

  private static void drops(Path dir, int trials, int lanes) throws Exception {
    Path root = dir.resolve("tree");
    Files.createDirectories(root.resolve("raspbian/dists/bookworm"));
    // As large as a small real InRelease: a slowed mirror lets the first 512 bytes through.
    Files.writeString(root.resolve("raspbian/dists/bookworm/InRelease"), "x".repeat(8191) + "\n");
    try (Cluster c = new Cluster()) {
      Nginx[] mirrors = new Nginx[lanes];
      for (int i = 0; i < lanes; i++) {
        mirrors[i] = new Nginx(dir.resolve("m" + i), root, List.of("127.0.0.1"));
        c.put("m" + i, mirrors[i].base("127.0.0.1") + "raspbian/");
      }
      c.awaitMirrors(lanes);
      Map<String, Long> seen = new ConcurrentHashMap<>();
      c.reader.addListener(
          v -> {
            long now = System.nanoTime();
            for (MirrorView m : v.mirrors().values()) {
              if (m.unreachable() != null) {
                seen.putIfAbsent(m.config().id(), now);
              } else {
                seen.remove(m.config().id());
              }
            }
          },
          Runnable::run);
      c.check();
      Thread.sleep(3000); // connected, answered
      ExecutorService pool = Executors.newFixedThreadPool(lanes);
      for (String kind : List.of("TERM", "KILL", "STOP", "SLOW")) {
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> done = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
          int lane = l;
          done.add(
              pool.submit(
                  () -> {
                    Random r = new Random(lane * 31L + kind.hashCode());
                    String id = "m" + lane;
                    for (int t = lane; t < trials; t += lanes) {
                      Thread.sleep(r.nextInt(1000)); // any moment of the check's second
                      long t0 = System.nanoTime();
                      if (kind.equals("SLOW")) {
                        mirrors[lane].throttle(100);
                      } else {
                        mirrors[lane].signal(kind);
                      }
                      long deadline = t0 + Duration.ofSeconds(30).toNanos();
                      Long at;
                      while ((at = seen.get(id)) == null) {
                        if (System.nanoTime() > deadline) {
                          throw new IllegalStateException(id + " never out of routing: " + kind);
                        }
                        Thread.sleep(1);
                      }
                      micros.add((at - t0) / 1000);
                      if (kind.equals("STOP")) {
                        mirrors[lane].signal("CONT");
                      } else {
                        if (kind.equals("SLOW")) {
                          mirrors[lane].signal("KILL"); // its trickling transfers end with it
                        }
                        mirrors[lane].awaitExit();
                        int port = mirrors[lane].port;
                        mirrors[lane] =
                            new Nginx(dir.resolve("m" + lane), root, List.of("127.0.0.1"), port);
                      }
                      while (seen.containsKey(id)) {
                        Thread.sleep(5);
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
        Collections.sort(micros);
        System.out.printf(
            Locale.ROOT,
            "%-4s (%s) n=%d  drop to out of routing: p50 %.0f ms  p90 %.0f ms  p99 %.0f ms  max"
                + " %.0f ms%n",
            kind,
            switch (kind) {
              case "TERM" -> "refused";
              case "KILL" -> "reset";
              case "STOP" -> "paused";
              default -> "stalled";
            },
            micros.size(),
            pct(micros, 0.50) / 1000.0,
            pct(micros, 0.90) / 1000.0,
            pct(micros, 0.99) / 1000.0,
            micros.get(micros.size() - 1) / 1000.0);
      }
      pool.shutdownNow();
      System.out.printf(
          Locale.ROOT, "records written %d, cleared %d%n", c.watch.recorded(), c.watch.cleared());
      for (Nginx n : mirrors) {
        n.close();
      }
    }
  }

  /** The nearest-rank percentile of sorted values. */
  static long pct(List<Long> sorted, double p) {
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static void rate(int n, int seconds) throws Exception {
    AtomicLong heads = new AtomicLong();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            heads.incrementAndGet();
            response.setStatus(206);
            response.getHeaders().put("Content-Range", "bytes 0-4095/150000");
            response.getHeaders().put("Content-Length", 4096);
            response.write(true, java.nio.ByteBuffer.wrap(BODY), callback);
            return true;
          }
        });
    server.start();
    try (Cluster c = new Cluster()) {
      String base = "http://127.0.0.1:" + connector.getLocalPort() + "/m";
      for (int i = 0; i < n; i++) {
        c.put("m" + i, base + i + "/");
      }
      c.awaitMirrors(n);
      c.check();
      Thread.sleep(5000); // every connection made, the checks spread over the second
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpu0 = reachCpu(threads);
      long h0 = heads.get();
      long r0 = c.watch.check().requests();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double s = (System.nanoTime() - t0) / 1e9;
      long cpu = reachCpu(threads) - cpu0;
      long h = heads.get() - h0;
      System.out.printf(
          Locale.ROOT,
          "%d mirrors, %d s: %.1f checks/s at the server (%.3f per mirror per second), %d sent by"
              + " the check; connections made %d (one per mirror, kept); the check's threads %.1f"
              + " ms CPU per second (%.2f %% of a core); records %d%n",
          n,
          seconds,
          h / s,
          h / s / n,
          c.watch.check().requests() - r0,
          c.watch.check().connects(),
          cpu / 1e6 / s,
          cpu / 1e7 / s,
          c.watch.recorded());
    } finally {
      server.stop();
    }
  }

  private static long reachCpu(ThreadMXBean threads) {
    long sum = 0;
    for (ThreadInfo i : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (i != null && i.getThreadName().startsWith("reach-check")) {
        long t = threads.getThreadCpuTime(i.getThreadId());
        if (t > 0) {
          sum += t;
        }
      }
    }
    return sum;
  }
}
