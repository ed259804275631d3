package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/** Probe rounds against real mirrors, written to a real ZooKeeper by the active node only. */
class ProbeServiceTest {
  @TempDir Path dir;

  @Test
  void theActiveNodeWritesMirrorStatesWithHysteresisAndTheStandbyProbesNothing() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 4));
    SyncAgent agent = synced(upstream);
    LocalSnapshots local = new LocalSnapshots(agent.store(), List.of("bookworm"));
    Path tree = agent.store().current().orElseThrow();
    RegistryPaths paths = RegistryPaths.defaults();
    try (TestingServer zk = new TestingServer(true);
        TestMirror good = TestMirror.http(tree);
        TestMirror flaky = TestMirror.http(tree)) {
      LeadershipConfig ca = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
      LeadershipConfig cb = LeadershipConfig.withSessionTimeout("b", "b:1", Duration.ofSeconds(4));
      CuratorFramework za = ZooKeeperClients.start(zk.getConnectString(), ca);
      CuratorFramework zb = ZooKeeperClients.start(zk.getConnectString(), cb);
      Leadership a = new Leadership(za, paths, ca);
      Leadership b = new Leadership(zb, paths, cb);
      RegistryReader reader = new RegistryReader(za, paths, dir.resolve("lkg"), "a");
      try {
        reader.start();
        a.start();
        awaitTrue(() -> a.role() == Role.ACTIVE && a.isServingAsLeader());
        b.start();
        awaitTrue(() -> b.role() == Role.STANDBY);
        RegistryWriter w = new RegistryWriter(a, paths);
        w.putMirror(mirror("good", good));
        w.putMirror(mirror("flaky", flaky));
        awaitTrue(() -> reader.view().mirrors().size() == 2);

        ProbeService standby = service(b, reader, local, upstream.keys());
        ProbeService active = service(a, reader, local, upstream.keys());
        try {
          assertThat(standby.round().skipped()).isEqualTo("not the serving leader");

          ProbeRound r1 = active.round();
          assertThat(r1.skipped()).isNull();
          assertThat(r1.mirrors()).isEqualTo(2);
          assertThat(health(r1, "good")).isEqualTo(Health.OK);
          assertThat(health(r1, "flaky")).isEqualTo(Health.OK);
          awaitTrue(() -> stateIn(reader.view(), "flaky") == Health.OK);
          // Per address family, through the registry: a mirror on 127.0.0.1 is IPv4-only.
          awaitTrue(() -> stateIn(reader.view(), "good") == Health.OK);
          var families = reader.view().mirrors().get("good").state().families();
          assertThat(families.get("ipv4").works()).isTrue();
          assertThat(families.get("ipv6"))
              .isEqualTo(
                  new FamilyState(
                      false, "no IPv6 address (the URL names an address of the other family)"));
          assertThat(reader.view().mirrors().get("good").state().serves(true)).isFalse();
          // A family that stops working is taken away after as many failed checks as a health.
          good.headOfInReleaseFails.set(true);

          flaky.close();
          ProbeRound r2 = active.round();
          assertThat(health(r2, "flaky")).as("one failed probe is not enough").isEqualTo(Health.OK);
          assertThat(r2.states().get("good").families().get("ipv4").works()).isTrue();
          assertThat(r2.states().get("flaky").suite("http", "bookworm").orElseThrow().reason())
              .startsWith("still OK")
              .contains("1 of 2 probes say DOWN: connection refused");

          ProbeRound r3 = active.round();
          assertThat(health(r3, "flaky")).isEqualTo(Health.DOWN);
          assertThat(r3.states().get("good").families().get("ipv4"))
              .isEqualTo(
                  new FamilyState(
                      false,
                      "HTTP 404 for /dists/bookworm/InRelease at 127.0.0.1:"
                          + good.base().getPort()));
          assertThat(health(r3, "good")).as("its GETs still work").isEqualTo(Health.OK);
          good.headOfInReleaseFails.set(false);
          assertThat(active.round().states().get("good").families().get("ipv4").works())
              .as("given back at once")
              .isTrue();
          assertThat(r3.states().get("flaky").families().get("ipv4").works())
              .as("a mirror that does not answer is DOWN; its families are not checked again")
              .isTrue();
          assertThat(health(r3, "good")).isEqualTo(Health.OK);
          awaitTrue(() -> stateIn(reader.view(), "flaky") == Health.DOWN);
          assertThat(
                  reader
                      .view()
                      .mirrors()
                      .get("good")
                      .state()
                      .suite("http", "bookworm")
                      .orElseThrow()
                      .snapshot())
              .isEqualTo(local.scan().current().orElseThrow().inRelease().get("bookworm"));

          // Settled: a round that finds nothing new writes nothing (every reader would rebuild its
          // routing otherwise); a change is written at once.
          awaitTrue(
              () -> reader.view().mirrors().get("good").state().families().get("ipv4").works());
          int version = za.checkExists().forPath(paths.mirrorState("good")).getVersion();
          int flakyVersion = za.checkExists().forPath(paths.mirrorState("flaky")).getVersion();
          ProbeRound quiet = active.round();
          assertThat(health(quiet, "good")).isEqualTo(Health.OK);
          assertThat(health(quiet, "flaky")).isEqualTo(Health.DOWN);
          assertThat(za.checkExists().forPath(paths.mirrorState("good")).getVersion())
              .as("nothing new about good: not written")
              .isEqualTo(version);
          assertThat(za.checkExists().forPath(paths.mirrorState("flaky")).getVersion())
              .isEqualTo(flakyVersion);
          good.headOfInReleaseFails.set(true);
          active.round();
          active.round();
          assertThat(za.checkExists().forPath(paths.mirrorState("good")).getVersion())
              .as("its IPv4 lost: written")
              .isGreaterThan(version);
        } finally {
          standby.close();
          active.close();
        }
      } finally {
        reader.close();
        b.close();
        a.close();
        zb.close();
        za.close();
      }
    }
  }

  @Test
  void aRecheckProbesAtOnceOnlyTheMirrorWhoseInReleaseChangedAndWritesOnlyThat() throws Exception {
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 20, 5));
    SyncAgent agent = synced(upstream);
    LocalSnapshots local = new LocalSnapshots(agent.store(), List.of("bookworm"));
    Path tree = dir.resolve("mirror");
    copy(agent.store().current().orElseThrow() + "/", tree);
    Path next = dir.resolve("next");
    copy(upstream.root + "/", next);
    ArchiveGenerator.generate(GeneratorOptions.small(next, 0, 5).withUpdateFrom(next, 20));
    RegistryPaths paths = RegistryPaths.defaults();
    try (TestingServer zk = new TestingServer(true);
        TestMirror moving = TestMirror.http(tree);
        TestMirror still = TestMirror.http(agent.store().current().orElseThrow());
        SnapshotLearner learner =
            new SnapshotLearner(
                upstream.keys(), Duration.ofSeconds(3), 4, Duration.ofSeconds(1), null)) {
      LeadershipConfig ca = LeadershipConfig.withSessionTimeout("a", "a:1", Duration.ofSeconds(4));
      CuratorFramework za = ZooKeeperClients.start(zk.getConnectString(), ca);
      Leadership a = new Leadership(za, paths, ca);
      RegistryReader reader = new RegistryReader(za, paths, dir.resolve("lkg"), "a");
      List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
      ProbeService active =
          new ProbeService(
              new MirrorProber(
                  ProbeConfig.defaults(List.of("bookworm")).withTimeout(Duration.ofSeconds(3)),
                  upstream.keys(),
                  Clock.systemUTC(),
                  null,
                  learner,
                  told::add),
              a,
              paths,
              reader::view,
              local.supplier(),
              Clock.systemUTC());
      try {
        reader.start();
        a.start();
        awaitTrue(() -> a.role() == Role.ACTIVE && a.isServingAsLeader());
        RegistryWriter w = new RegistryWriter(a, paths);
        w.putMirror(mirror("moving", moving));
        w.putMirror(mirror("still", still));
        awaitTrue(() -> reader.view().mirrors().size() == 2);
        assertThat(active.round().mirrors()).isEqualTo(2);
        awaitTrue(() -> stateIn(reader.view(), "moving") == Health.OK);

        ProbeRound quiet = active.recheck();
        assertThat(quiet.mirrors()).as("nothing changed: no full probe, no write").isZero();

        copy(next + "/", tree); // the mirror was pushed the upstream's next version
        ProbeRound r = active.recheck();
        assertThat(r.states().keySet()).containsExactly("moving");
        assertThat(health(r, "moving")).isEqualTo(Health.AHEAD);
        awaitTrue(() -> stateIn(reader.view(), "moving") == Health.AHEAD);
        assertThat(told).as("the node hears that the upstream moved").contains("bookworm");
        assertThat(active.recheck().mirrors()).isZero();
        assertThat(active.rechecks()).isEqualTo(3);
      } finally {
        active.close();
        reader.close();
        a.close();
        za.close();
      }
    }
  }

  private static void copy(String from, Path to) throws Exception {
    assertThat(
            new ProcessBuilder("rsync", "-a", "--delete", from, to + "/")
                .inheritIO()
                .start()
                .waitFor())
        .isZero();
  }

  private ProbeService service(
      Leadership l,
      RegistryReader reader,
      LocalSnapshots local,
      org.mirrordirector.sync.archive.TrustedKeys keys) {
    return new ProbeService(
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm"))
                .withTimeout(Duration.ofSeconds(3))
                .withConfirmations(2),
            keys,
            Clock.systemUTC(),
            null),
        l,
        RegistryPaths.defaults(),
        reader::view,
        local.supplier(),
        Clock.systemUTC());
  }

  /** A node's sync agent that has published the upstream once. */
  private SyncAgent synced(TestArchive upstream) throws Exception {
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent agent =
          new SyncAgent(
              SyncConfig.of(daemon.url(), dir.resolve("node"), List.of("bookworm"), "a"),
              upstream.keys());
      agent.runOnce();
      return agent;
    }
  }

  private static MirrorConfig mirror(String id, TestMirror m) {
    return MirrorProberTest.http(id, m);
  }

  private static Health health(ProbeRound r, String mirror) {
    return r.states().get(mirror).suite("http", "bookworm").orElseThrow().health();
  }

  private static Health stateIn(ClusterView v, String mirror) {
    MirrorView m = v.mirrors().get(mirror);
    if (m == null || m.state() == null) {
      return null;
    }
    return m.state().suite("http", "bookworm").map(s -> s.health()).orElse(null);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
