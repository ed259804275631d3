package org.mirrordirector.ops.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.mirrordirector.director.AccessLogSettings;
import org.mirrordirector.director.ClientLocation;
import org.mirrordirector.director.DirectorServer;
import org.mirrordirector.director.DirectorSettings;
import org.mirrordirector.director.DirectorSources;
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.director.GeoIp;
import org.mirrordirector.director.SelectionPolicy;
import org.mirrordirector.director.SnapshotFiles;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.CurrentSnapshot;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.sync.archive.SnapshotId;

/**
 * Benchmark server (not a test): the director with the full selection on, for wrk. It loads the
 * file knowledge of three kept snapshots, builds a fleet of mirrors spread over the world (most at
 * the current snapshot, some lagging a snapshot or two, some syncing or down), opens a real MaxMind
 * DB file, trusts 127.0.0.1 as a proxy so that wrk's X-Forwarded-For addresses are looked up,
 * prints the heap it holds, writes the request paths and client addresses for wrk's script, and
 * serves until killed. Run by ops/bench/director-bench.sh.
 */
public final class DirectorBench {
  private DirectorBench() {}

  /** Countries with a capital's coordinates and continent, for the fleet and the clients. */
  static final Object[][] PLACES = {
    {"GB", "EU", 51.5, -0.1}, {"DE", "EU", 52.5, 13.4}, {"FR", "EU", 48.9, 2.35},
    {"NL", "EU", 52.4, 4.9}, {"SE", "EU", 59.3, 18.1}, {"PL", "EU", 52.2, 21.0},
    {"IT", "EU", 41.9, 12.5}, {"ES", "EU", 40.4, -3.7}, {"CZ", "EU", 50.1, 14.4},
    {"FI", "EU", 60.2, 24.9}, {"US", "NA", 40.7, -74.0}, {"US", "NA", 37.8, -122.4},
    {"US", "NA", 41.9, -87.6}, {"CA", "NA", 43.7, -79.4}, {"MX", "NA", 19.4, -99.1},
    {"BR", "SA", -23.5, -46.6}, {"AR", "SA", -34.6, -58.4}, {"CL", "SA", -33.4, -70.6},
    {"JP", "AS", 35.7, 139.7}, {"CN", "AS", 39.9, 116.4}, {"KR", "AS", 37.6, 127.0},
    {"IN", "AS", 28.6, 77.2}, {"SG", "AS", 1.35, 103.8}, {"TW", "AS", 25.0, 121.5},
    {"ID", "AS", -6.2, 106.8}, {"AU", "OC", -33.9, 151.2}, {"NZ", "OC", -41.3, 174.8},
    {"ZA", "AF", -26.2, 28.0}, {"KE", "AF", -1.3, 36.8}, {"EG", "AF", 30.0, 31.2}
  };

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println(
          "usage: DirectorBench S1 S2 S3 MMDB PORT [MIRRORS] [OUTDIR]   (trees oldest first)");
      System.exit(2);
    }
    List<Path> trees = List.of(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
    Path mmdb = Path.of(args[3]);
    int port = Integer.parseInt(args[4]);
    int count = args.length > 5 ? Integer.parseInt(args[5]) : 200;
    Path out = args.length > 6 ? Path.of(args[6]) : Path.of(".");
    // An 8th argument: the access log's file (the bench's "accesslog" mode runs one with, one
    // without).
    String accessLog = args.length > 7 ? args[7] : null;
    boolean compress = args.length <= 8 || !args[8].equals("plain");

    long base = usedHeap();
    long t0 = System.nanoTime();
    FileKnowledge files = FileKnowledge.load(trees, List.of("bookworm"));
    double loadS = (System.nanoTime() - t0) / 1e9;
    long withFiles = usedHeap();
    // A second copy costs only what one instance holds (no one-time class or static state).
    FileKnowledge copy = FileKnowledge.load(trees, List.of("bookworm"));
    long withCopy = usedHeap();
    java.lang.ref.Reference.reachabilityFence(copy);
    copy = null;
    List<String> ids = new ArrayList<>();
    for (Path t : trees) {
      ids.add(
          SnapshotId.ofInRelease(Files.readAllBytes(t.resolve("dists/bookworm/InRelease")))
              .sha256());
    }
    ClusterView view = fleet(ids, count, System.currentTimeMillis());
    long withView = usedHeap();
    GeoIp geo = GeoIp.open(List.of(mmdb));
    long withGeo = usedHeap();
    System.out.printf(
        Locale.ROOT,
        "file knowledge: %d snapshots loaded in %.2f s; heap held: file knowledge %.1f MiB (a"
            + " second copy: %.1f MiB),"
            + " %d mirrors %.1f MiB, GeoIP reader %.1f MiB (the .mmdb is mapped, not on the heap)%n",
        files.size(),
        loadS,
        (withFiles - base) / 1048576.0,
        (withCopy - withFiles) / 1048576.0,
        count,
        (withView - withFiles) / 1048576.0,
        (withGeo - withView) / 1048576.0);

    writeWrkInputs(trees.get(2), files, out);

    DirectorServer d =
        new DirectorServer(
                DirectorSettings.loopback(List.of("/raspbian/"))
                    .withPort("127.0.0.1", port)
                    .withPolicy(SelectionPolicy.defaults())
                    .withProxies(TrustedProxies.parse(List.of("127.0.0.1/32")))
                    .withAccessLog(
                        accessLog == null
                            ? null
                            : new AccessLogSettings(accessLog, 100L << 20, 2, compress)),
                new DirectorSources(
                    () -> view,
                    () -> files,
                    () -> Optional.of(trees.get(2)),
                    geo,
                    () -> true,
                    Optional::empty,
                    null,
                    null))
            .start();
    System.out.println("ready on 127.0.0.1:" + d.port());
    Thread.currentThread().join();
  }

  /** The mirrors: 85 % current, 7.5 % a snapshot behind, 2.5 % two, 2.5 % syncing, 2.5 % down. */
  static ClusterView fleet(List<String> snapshots, int count, long now) {
    Random r = new Random(200);
    Map<String, MirrorView> ms = new HashMap<>();
    for (int i = 0; i < count; i++) {
      Object[] p = PLACES[i % PLACES.length];
      String id = String.format(Locale.ROOT, "mirror-%03d", i);
      MirrorConfig c =
          new MirrorConfig(
              id,
              Map.of(
                  "http",
                  "http://" + id + ".example.org/raspbian/",
                  "https",
                  "https://" + id + ".example.org/raspbian/"),
              (String) p[0],
              (String) p[1],
              (Double) p[2] + r.nextGaussian(),
              (Double) p[3] + r.nextGaussian(),
              64500L + i,
              List.of(),
              50 + r.nextInt(100),
              List.of(),
              true,
              false);
      int k = i % 40;
      String snap = snapshots.get(2);
      Health h = Health.OK;
      Long lag = null;
      if (k < 3) {
        snap = snapshots.get(1);
        h = Health.LAGGING;
        lag = 3_600_000L;
      } else if (k == 3) {
        snap = snapshots.get(0);
        h = Health.LAGGING;
        lag = 7_200_000L;
      } else if (k == 4) {
        h = Health.SYNCING;
      } else if (k == 5) {
        h = Health.DOWN;
        snap = null;
      }
      SuiteState s = new SuiteState(snap, h, 20L + k, now, h.name(), lag, now);
      ms.put(
          id,
          new MirrorView(
              c,
              new MirrorState(
                  id, Map.of("http", Map.of("bookworm", s), "https", Map.of("bookworm", s)), now)));
    }
    Map<String, SnapshotRecord> recs = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      String id = "s-" + i;
      recs.put(
          id,
          new SnapshotRecord(id, Map.of("bookworm", new SuiteSnapshot(snapshots.get(i), i)), i));
    }
    return new ClusterView(
        1,
        ViewSource.LIVE,
        true,
        now,
        1,
        "bench",
        Map.of(),
        ms,
        recs,
        new CurrentSnapshot("s-2", now, 1),
        List.of(),
        List.of());
  }

  /**
   * paths.txt: what apt asks, in proportion: 90 % pool files of the current snapshot, 5 %
   * InRelease, 5 % by-hash indexes. clients.txt: 1,000 public addresses the database knows.
   */
  static void writeWrkInputs(Path current, FileKnowledge files, Path out) throws IOException {
    Files.createDirectories(out);
    String sha =
        SnapshotId.ofInRelease(Files.readAllBytes(current.resolve("dists/bookworm/InRelease")))
            .sha256();
    SnapshotFiles s = files.snapshot(sha).orElseThrow();
    List<String> pool = new ArrayList<>(s.pool());
    java.util.Collections.sort(pool);
    List<String> hashes = new ArrayList<>(s.byHash());
    java.util.Collections.sort(hashes);
    Random r = new Random(60000);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int k = r.nextInt(100);
      if (k < 90) {
        paths.add("/raspbian/" + pool.get(r.nextInt(pool.size())));
      } else if (k < 95) {
        paths.add("/raspbian/dists/bookworm/InRelease");
      } else {
        paths.add(
            "/raspbian/dists/bookworm/main/binary-armhf/by-hash/SHA256/"
                + hashes.get(r.nextInt(hashes.size())));
      }
    }
    Files.write(out.resolve("paths.txt"), paths);
    List<String> clients = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      // Spread over the unicast IPv4 space outside the private and reserved blocks.
      int a;
      do {
        a = 1 + r.nextInt(222);
      } while (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192 || a == 198);
      clients.add(a + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
    }
    Files.write(out.resolve("clients.txt"), clients);
  }

  /**
   * The settled heap: collections until two readings in a row agree within 64 KiB (at most 10), the
   * lowest reading. One reading after {@code System.gc()} once came out 5 MiB high.
   */
  static long usedHeap() throws InterruptedException {
    long best = Long.MAX_VALUE;
    long previous = -1;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      best = Math.min(best, used);
      if (previous >= 0 && Math.abs(used - previous) < 64 * 1024) {
        break;
      }
      previous = used;
    }
    return best;
  }

  /** For the JMH benchmark: one client location per address, looked up once. */
  static ClientLocation[] locate(GeoIp geo, List<String> addresses) {
    return addresses.stream().map(geo).toArray(ClientLocation[]::new);
  }
}
