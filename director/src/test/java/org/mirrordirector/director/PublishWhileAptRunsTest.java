package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SnapshotRecorder;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.archive.Apt;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.StaticHttpServer;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;
import org.mirrordirector.sync.probe.LocalSnapshots;
import org.mirrordirector.sync.probe.MirrorProber;
import org.mirrordirector.sync.probe.ProbeConfig;
import org.mirrordirector.sync.probe.ProbeRound;
import org.mirrordirector.sync.probe.ProbeService;

/**
 * The whole chain while the archive moves: a real sync agent publishes a new snapshot, real public
 * mirrors catch up one by one with a real two-stage rsync (lock file, pool first, then everything
 * with deletions), the real prober writes their states to a real ZooKeeper, and the director reads
 * them from there. Meanwhile the real apt-get updates and downloads in a loop, at least once in
 * every state, and a client whose lists are a snapshot old downloads files that no mirror has any
 * more. Zero apt errors.
 */
class PublishWhileAptRunsTest {
  private static final List<String> SUITES = List.of("bookworm");

  @TempDir Path dir;

  @Test
  void aptSeesNoErrorWhileASnapshotIsPublishedAndMirrorsCatchUpOneByOne() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 7));
    RegistryPaths paths = RegistryPaths.defaults();
    try (RsyncDaemon upstreamd = new RsyncDaemon(dir.resolve("rsyncd-up"), upstream.root);
        TestingServer zk = new TestingServer(true)) {
      SyncAgent agent =
          new SyncAgent(
              SyncConfig.of(upstreamd.url(), dir.resolve("node"), SUITES, "node-a"),
              upstream.keys());
      SyncReport first = agent.runOnce();
      assertThat(first.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      Path s1Tree = agent.store().current().orElseThrow().toRealPath();

      LeadershipConfig cfg = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
      CuratorFramework client = ZooKeeperClients.start(zk.getConnectString(), cfg);
      Leadership leadership = new Leadership(client, paths, cfg);
      RegistryReader reader = new RegistryReader(client, paths, dir.resolve("lkg.json"), "a");
      List<Mirror> mirrors = new ArrayList<>();
      DirectorServer director = null;
      ProbeService probes = null;
      AptLoop loop = null;
      try (RsyncDaemon noded =
          new RsyncDaemon(dir.resolve("rsyncd-node"), agent.store().root().resolve("current"))) {
        reader.start();
        leadership.start();
        await(() -> leadership.role() == Role.ACTIVE && leadership.isServingAsLeader());
        SnapshotRecorder recorder =
            new SnapshotRecorder(leadership, paths, agent.store(), SUITES, Clock.systemUTC());
        AtomicReference<FileKnowledge> files =
            new AtomicReference<>(FileKnowledge.load(agent.store().list(), SUITES));
        recorder.accept(first);

        RegistryWriter w = new RegistryWriter(leadership, paths);
        for (String id : List.of("m1", "m2", "m3")) {
          Mirror m = new Mirror(id, dir.resolve("mirrors").resolve(id));
          m.sync(noded.url(), true);
          m.sync(noded.url(), false);
          mirrors.add(m);
          w.putMirror(m.config());
        }
        LocalSnapshots local = new LocalSnapshots(agent.store(), SUITES);
        probes =
            new ProbeService(
                new MirrorProber(
                    ProbeConfig.defaults(SUITES)
                        .withTimeout(Duration.ofSeconds(3))
                        .withConfirmations(2),
                    upstream.keys(),
                    Clock.systemUTC(),
                    null),
                leadership,
                paths,
                reader::view,
                local.supplier(),
                Clock.systemUTC());
        await(() -> reader.view().mirrors().size() == 3 && reader.view().current() != null);
        String s1 = MirrorSelector.currentInRelease(reader.view(), "bookworm").orElseThrow();
        ProbeService p = probes;
        round(p, reader, "m1", Health.OK, s1);
        for (Mirror m : mirrors) {
          await(() -> state(reader, m.id) != null && state(reader, m.id).health() == Health.OK);
        }

        director =
            new DirectorServer(
                    DirectorSettings.loopback(List.of("/raspbian/")),
                    new DirectorSources(
                        reader::view,
                        files::get,
                        new LocalTree() {
                          @Override
                          public Optional<Path> current() {
                            try {
                              return agent.store().current();
                            } catch (IOException e) {
                              return Optional.empty();
                            }
                          }

                          @Override
                          public List<Path> kept() {
                            try {
                              List<Path> all = new ArrayList<>(agent.store().list());
                              Collections.reverse(all);
                              return all;
                            } catch (IOException e) {
                              return List.of();
                            }
                          }
                        },
                        ClientLocation::unknown,
                        leadership::isServingAsLeader,
                        Optional::empty,
                        null,
                        paths))
                .start();
        String sources =
            "deb [signed-by="
                + upstream.keyring
                + "] http://127.0.0.1:"
                + director.port()
                + "/raspbian/ bookworm main";
        // A client that updates once, now, and downloads only at the end.
        Apt stale = new Apt(dir.resolve("apt-stale"));
        stale.sources(sources);
        stale.run("update");

        loop = new AptLoop(dir.resolve("apt-loop"), sources, agent.store());
        loop.start();
        loop.awaitRounds(1);

        // The upstream moves: 25 % of the packages replaced, their old files deleted.
        ArchiveGenerator.generate(
            GeneratorOptions.small(upstream.root, 0, 8)
                .withUpdateFrom(upstream.root, 25)
                .withDate(java.time.Instant.now()));
        SyncReport second = agent.runOnce();
        assertThat(second.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
        Path s2Tree = agent.store().current().orElseThrow().toRealPath();
        files.set(files.get().refresh(agent.store().list(), SUITES));
        recorder.accept(second);
        await(
            () ->
                !MirrorSelector.currentInRelease(reader.view(), "bookworm")
                    .orElseThrow()
                    .equals(s1));
        String s2 = MirrorSelector.currentInRelease(reader.view(), "bookworm").orElseThrow();
        loop.awaitRounds(1); // no mirror at the new snapshot: the director serves its indexes

        for (Mirror m : mirrors) {
          m.lock(true);
          round(p, reader, m.id, Health.SYNCING, null);
          loop.awaitRounds(1);
          m.sync(noded.url(), true); // stage 1: new pool files, nothing deleted
          loop.awaitRounds(1);
          m.sync(noded.url(), false); // stage 2: indexes, InRelease, deletions
          loop.awaitRounds(1);
          m.lock(false);
          round(p, reader, m.id, Health.SYNCING, s2); // one good probe is not enough
          round(p, reader, m.id, Health.OK, s2);
          loop.awaitRounds(1);
        }
        loop.stop();
        assertThat(loop.errors).as("apt errors during the publication").isEmpty();
        assertThat(loop.rounds.get()).isGreaterThanOrEqualTo(3 * 5 + 2);

        // Files the stale client's lists name that no mirror holds any more.
        Set<String> gone = poolFiles(s1Tree);
        gone.removeAll(poolFiles(s2Tree));
        assertThat(gone).isNotEmpty();
        for (Mirror m : mirrors) {
          for (String f : gone) {
            assertThat(m.root.resolve(f)).doesNotExist();
          }
        }
        List<String> oldNames = new ArrayList<>();
        for (String l :
            Files.readAllLines(s1Tree.resolve("dists/bookworm/main/binary-armhf/Packages"))) {
          if (l.startsWith("Package: ")) {
            oldNames.add(l.substring(9));
          }
        }
        List<String> args = new ArrayList<>(List.of("download"));
        args.addAll(oldNames);
        stale.run(args.toArray(String[]::new));
        Set<String> s1Hashes = new HashSet<>();
        for (String f : poolFiles(s1Tree)) {
          s1Hashes.add(Sha256.hex(Files.readAllBytes(s1Tree.resolve(f))));
        }
        try (Stream<Path> got = Files.list(stale.downloads())) {
          List<Path> debs = got.filter(f -> f.toString().endsWith(".deb")).toList();
          assertThat(debs).hasSize(oldNames.size());
          for (Path f : debs) {
            assertThat(s1Hashes).contains(Sha256.hex(Files.readAllBytes(f)));
          }
        }
        assertThat(director.stats().counts().keySet())
            .as("every mirror served, and the director itself while none was current")
            .contains("m1", "m2", "m3", RedirectStats.LOCAL);
      } finally {
        if (loop != null) {
          loop.stop();
        }
        if (director != null) {
          director.close();
        }
        if (probes != null) {
          probes.close();
        }
        for (Mirror m : mirrors) {
          m.close();
        }
        reader.close();
        leadership.close();
        client.close();
      }
    }
  }

  /** A public mirror: a tree synced like ftpsync does it, served by a real HTTP server. */
  private static final class Mirror implements AutoCloseable {
    final String id;
    final Path root;
    StaticHttpServer http;

    Mirror(String id, Path root) throws IOException {
      this.id = id;
      this.root = root;
      Files.createDirectories(root);
    }

    MirrorConfig config() throws Exception {
      if (http == null) {
        http = new StaticHttpServer(root);
      }
      return TestFleet.httpMirror(id, http.base().toString());
    }

    /** Stage 1 (no dists, no deletions) or stage 2 (everything, deletions last). */
    void sync(String source, boolean stage1) throws Exception {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "rsync",
                  "-rlt",
                  "--exclude=Archive-Update-in-Progress-*",
                  "--exclude=project/trace/"));
      if (stage1) {
        cmd.add("--exclude=dists/");
      } else {
        cmd.addAll(List.of("--delete-after", "--delay-updates"));
      }
      cmd.add(source);
      cmd.add(root + "/");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as("rsync: " + out).isZero();
    }

    void lock(boolean on) throws IOException {
      Path lock = root.resolve("Archive-Update-in-Progress-127.0.0.1");
      if (on) {
        Files.writeString(lock, "sync\n");
      } else {
        Files.delete(lock);
      }
    }

    @Override
    public void close() throws Exception {
      if (http != null) {
        http.close();
      }
    }
  }

  /** apt-get update, then apt-get download of three packages its lists name, again and again. */
  private static final class AptLoop {
    final Apt apt;
    final AtomicInteger rounds = new AtomicInteger();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final Path lists;
    Thread thread;

    final org.mirrordirector.sync.SnapshotStore snapshots;

    AptLoop(Path root, String sources, org.mirrordirector.sync.SnapshotStore snapshots)
        throws IOException {
      this.snapshots = snapshots;
      apt = new Apt(root);
      apt.sources(sources);
      lists = root.resolve("lists");
    }

    void start() {
      thread =
          new Thread(
              () -> {
                Random random = new Random(5);
                while (running.get()) {
                  try {
                    apt.run("update");
                    List<String> names = packages();
                    Collections.shuffle(names, random);
                    List<String> args = new ArrayList<>(List.of("download"));
                    args.addAll(names.subList(0, Math.min(3, names.size())));
                    apt.run(args.toArray(String[]::new));
                    try (Stream<Path> s = Files.list(apt.downloads())) {
                      for (Path f : (Iterable<Path>) s::iterator) {
                        Files.delete(f);
                      }
                    }
                    rounds.incrementAndGet();
                  } catch (Throwable e) {
                    errors.add("round " + rounds.get() + ": " + e.getMessage());
                    rounds.incrementAndGet();
                  }
                }
              },
              "apt-loop");
      thread.setDaemon(true);
      thread.start();
    }

    /**
     * The packages apt's lists name. apt keeps them lz4-compressed, so they are read from the kept
     * snapshot whose InRelease is the one apt holds.
     */
    List<String> packages() throws IOException {
      byte[] held = null;
      try (Stream<Path> s = Files.list(lists)) {
        for (Path f : (Iterable<Path>) s::iterator) {
          if (f.getFileName().toString().endsWith("_InRelease")) {
            held = Files.readAllBytes(f);
          }
        }
      }
      List<String> names = new ArrayList<>();
      for (Path tree : snapshots.list()) {
        if (held != null
            && java.util.Arrays.equals(
                held, Files.readAllBytes(tree.resolve("dists/bookworm/InRelease")))) {
          names.addAll(packageNames(tree));
        }
      }
      if (names.isEmpty()) {
        throw new IOException("apt holds an InRelease of no kept snapshot");
      }
      return names;
    }

    /** Waits until n whole rounds have run from now. */
    void awaitRounds(int n) throws InterruptedException {
      int target = rounds.get() + n + 1; // the round running now may have started before
      await(() -> rounds.get() >= target || !thread.isAlive());
    }

    void stop() throws InterruptedException {
      running.set(false);
      if (thread != null) {
        thread.join(180_000);
      }
    }
  }

  private static SuiteState state(RegistryReader reader, String mirror) {
    MirrorView m = reader.view().mirrors().get(mirror);
    return m == null || m.state() == null ? null : m.state().suite("http", "bookworm").orElse(null);
  }

  /** One probe round; waits until the view shows the mirror with this health (and snapshot). */
  private static void round(
      ProbeService p, RegistryReader reader, String mirror, Health health, String snapshot)
      throws InterruptedException {
    ProbeRound r = p.round();
    assertThat(r.skipped()).isNull();
    SuiteState got = r.states().get(mirror).suite("http", "bookworm").orElseThrow();
    assertThat(got.health()).as(mirror + ": " + got.reason()).isEqualTo(health);
    if (snapshot != null) {
      assertThat(got.snapshot()).isEqualTo(snapshot);
    }
    await(
        () -> {
          SuiteState s = state(reader, mirror);
          return s != null && s.health() == health && s.reason().equals(got.reason());
        });
  }

  private static List<String> packageNames(Path tree) throws IOException {
    List<String> names = new ArrayList<>();
    for (String l : Files.readAllLines(tree.resolve("dists/bookworm/main/binary-armhf/Packages"))) {
      if (l.startsWith("Package: ")) {
        names.add(l.substring(9));
      }
    }
    return names;
  }

  private static Set<String> poolFiles(Path tree) throws IOException {
    try (Stream<Path> s = Files.walk(tree.resolve("pool"))) {
      Set<String> out = new HashSet<>();
      s.filter(Files::isRegularFile).forEach(f -> out.add(tree.relativize(f).toString()));
      return out;
    }
  }

  private static void await(BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met in 120 s");
      }
      Thread.sleep(20);
    }
  }
}
