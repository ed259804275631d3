package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.archive.IndexParsers;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SuiteIndex;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Mirrors that move before the node does: the upstream publishes V2 while the node still has V1
 * only. A mirror that copied V2 whole is AHEAD once its snapshot is learned from its own indexes
 * (checked against the signed InRelease); a mirror caught mid-sync (V2's indexes over V1's pool) is
 * SYNCING; a cheap recheck notices an InRelease that changed between full probes.
 */
class MirrorsAheadTest {
  @TempDir static Path dir;
  static TestArchive upstream;
  static KnownSnapshots known;
  static Path v1;
  static Path v2;
  static String v2Sha;
  static final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeAll
  static void nodeAtV1UpstreamAtV2() throws Exception {
    upstream = TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 21));
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent agent = MirrorProberTest.agent(dir, daemon, upstream);
      SyncReport first = agent.runOnce();
      assertThat(first.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      v1 = first.snapshot();
      known = new LocalSnapshots(agent.store(), List.of("bookworm")).scan();
    }
    v2 = dir.resolve("v2");
    cp(upstream.root, v2);
    ArchiveGenerator.generate(GeneratorOptions.small(v2, 0, 21).withUpdateFrom(v2, 20));
    v2Sha = Sha256.hex(Files.readAllBytes(v2.resolve("dists/bookworm/InRelease")));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  static void cp(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    assertThat(new ProcessBuilder("cp", "-a", from.toString(), to.toString()).start().waitFor())
        .isZero();
  }

  /** A tree with V2's dists over V1's pool: a one-stage rsync that has done dists/ only. */
  static Path midSync(String name) throws Exception {
    Path t = dir.resolve("mirrors").resolve(name);
    cp(v1, t);
    assertThat(
            new ProcessBuilder(
                    "rsync", "-a", "--delete", v2.resolve("dists") + "/", t.resolve("dists") + "/")
                .start()
                .waitFor())
        .isZero();
    return t;
  }

  static TestMirror serve(Path tree) throws Exception {
    TestMirror m = TestMirror.http(tree);
    servers.add(m);
    return m;
  }

  static MirrorConfig config(String id, TestMirror m) {
    return MirrorProberTest.http(id, m);
  }

  static SnapshotLearner learner() throws Exception {
    return new SnapshotLearner(
        upstream.keys(), Duration.ofSeconds(5), 4, Duration.ofSeconds(5), null);
  }

  /** Every Filename in V2's Packages indexes. */
  static Set<String> v2Pool() throws IOException {
    Set<String> out = new HashSet<>();
    for (String c : List.of("main", "rpi")) {
      try (var in =
          Files.newInputStream(v2.resolve("dists/bookworm/" + c + "/binary-armhf/Packages"))) {
        IndexParsers.packages(in, "Packages", p -> out.add(p.filename()), bad -> {});
      }
    }
    return out;
  }

  @Test
  void aSnapshotIsLearnedFromAMirrorsIndexesCheckedAgainstItsSignedInRelease() throws Exception {
    TestMirror ahead = serve(dir.resolve("v2"));
    List<SuiteIndex> heard = new CopyOnWriteArrayList<>();
    try (SnapshotLearner l = learner()) {
      l.addListener(heard::add);
      SuiteIndex s = l.learn(ahead.base(), "bookworm", v2Sha);
      assertThat(s.inRelease()).isEqualTo(v2Sha);
      assertThat(s.pool().keySet()).isEqualTo(v2Pool());
      assertThat(s.packagesIndexes())
          .isNotEmpty()
          .allSatisfy((k, v) -> assertThat(k).endsWith(".xz"));
      assertThat(l.learn(ahead.base(), "bookworm", v2Sha))
          .as("kept, not fetched again")
          .isSameAs(s);
      assertThat(heard).containsExactly(s);
      assertThat(l.known(v2Sha)).containsSame(s);
    }
  }

  @Test
  void aMirrorThatMovedOnOrWhoseIndexesDoNotMatchItsInReleaseTeachesNothing() throws Exception {
    TestMirror atV1 = serve(v1);
    TestMirror mid = serve(midPackagesOld("stale-packages"));
    try (SnapshotLearner l = learner()) {
      assertThatThrownBy(() -> l.learn(atV1.base(), "bookworm", v2Sha))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the mirror moved on");
      assertThatThrownBy(() -> l.learn(mid.base(), "bookworm", v2Sha))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("does not match its Release entry");
      assertThat(l.learned()).isEmpty();
    }
  }

  /** V2's InRelease over V1's Packages: the first file of a naive dists/ transfer has arrived. */
  static Path midPackagesOld(String name) throws Exception {
    Path t = dir.resolve("mirrors").resolve(name);
    cp(v1, t);
    Files.copy(
        v2.resolve("dists/bookworm/InRelease"),
        t.resolve("dists/bookworm/InRelease"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return t;
  }

  @Test
  void aMirrorAheadIsAheadAndOneMidSyncIsSyncingAndTheNodeIsToldTheUpstreamMoved()
      throws Exception {
    TestMirror ahead = serve(dir.resolve("v2"));
    TestMirror mid = serve(midSync("naive"));
    TestMirror stale = serve(midPackagesOld("naive-early"));
    List<String> told = new CopyOnWriteArrayList<>();
    try (SnapshotLearner l = learner();
        MirrorProber p =
            new MirrorProber(
                ProbeConfig.defaults(List.of("bookworm"))
                    .withTimeout(Duration.ofSeconds(3))
                    .withSampleSize(100),
                upstream.keys(),
                Clock.systemUTC(),
                null,
                l,
                told::add)) {
      Observation a = p.probe(config("ahead", ahead), known).get("http").get("bookworm");
      assertThat(a.health()).as(a.reason()).isEqualTo(Health.AHEAD);
      assertThat(a.snapshot()).isEqualTo(v2Sha);
      assertThat(a.reason())
          .contains("newer than the director's snapshot", "files it adds are there");

      Observation m = p.probe(config("mid", mid), known).get("http").get("bookworm");
      assertThat(m.health()).as(m.reason()).isEqualTo(Health.SYNCING);
      assertThat(m.reason()).contains("not the pool files it adds");

      Observation e = p.probe(config("early", stale), known).get("http").get("bookworm");
      assertThat(e.health()).as(e.reason()).isEqualTo(Health.SYNCING);
      assertThat(told).hasSize(3).containsOnly("bookworm");
    }
    try (MirrorProber old =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm")), upstream.keys(), Clock.systemUTC(), null)) {
      Observation o = old.probe(config("ahead", ahead), known).get("http").get("bookworm");
      assertThat(o.health()).as("without a learner, ahead is SYNCING").isEqualTo(Health.SYNCING);
    }
  }

  @Test
  void aMirrorAtASnapshotPrunedSinceItsLastProbeIsJudgedAgainNotFailed() throws Exception {
    TestMirror atV1 = serve(v1);
    MirrorConfig c = config("pruned", atV1);
    try (MirrorProber p =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm")), upstream.keys(), Clock.systemUTC(), null)) {
      assertThat(p.probe(c, known).get("http").get("bookworm").health()).isEqualTo(Health.OK);
      // The node moved on and pruned V1: the next answer is a 304 for an InRelease no longer kept.
      KnownSnapshot now = known.current().orElseThrow();
      KnownSnapshots later =
          new KnownSnapshots(
              List.of(
                  new KnownSnapshot(
                      "later",
                      Map.of("bookworm", "0".repeat(64)),
                      Map.of("bookworm", java.time.Instant.parse("2099-01-01T00:00:00Z")),
                      java.time.Instant.now(),
                      Map.of(),
                      Map.of(),
                      now.tree())));
      Observation o = p.probe(c, later).get("http").get("bookworm");
      assertThat(o.health()).as(o.reason()).isEqualTo(Health.LAGGING);
      assertThat(o.reason()).contains("older than every kept snapshot");
    }
  }

  @Test
  void aMirrorWithAnIpv6LiteralUrlIsProbedAndItsLockFileFound() throws Exception {
    Path tree = dir.resolve("mirrors/v6");
    cp(v1, tree);
    TestMirror m = TestMirror.httpOn(tree, "::1");
    servers.add(m);
    assertThat(m.base().toString()).startsWith("http://[::1]:");
    MirrorConfig c = config("v6", m);
    try (MirrorProber p =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm")), upstream.keys(), Clock.systemUTC(), null)) {
      Observation ok = p.probe(c, known).get("http").get("bookworm");
      assertThat(ok.health()).as(ok.reason()).isEqualTo(Health.OK);
      // ftpsync names its lock after the host, here the bare literal.
      Files.writeString(tree.resolve("Archive-Update-in-Progress-::1"), "1\n");
      Observation locked = p.probe(c, known).get("http").get("bookworm");
      assertThat(locked.health()).as(locked.reason()).isEqualTo(Health.SYNCING);
      assertThat(locked.reason()).contains("Archive-Update-in-Progress-::1");
      assertThat(p.recheck(c)).isEqualTo(MirrorChange.CHANGED);
    }
  }

  @Test
  void aRecheckSeesAnInReleaseThatChangedBetweenFullProbes() throws Exception {
    Path tree = dir.resolve("mirrors/moving");
    cp(v1, tree);
    TestMirror moving = serve(tree);
    MirrorConfig c = config("moving", moving);
    List<String> told = new CopyOnWriteArrayList<>();
    try (SnapshotLearner l = learner();
        MirrorProber p =
            new MirrorProber(
                ProbeConfig.defaults(List.of("bookworm")).withTimeout(Duration.ofSeconds(3)),
                upstream.keys(),
                Clock.systemUTC(),
                null,
                l,
                told::add)) {
      assertThat(p.recheck(c)).as("never probed fully").isEqualTo(MirrorChange.CHANGED);
      assertThat(p.probe(c, known).get("http").get("bookworm").health()).isEqualTo(Health.OK);
      long before = p.requestsSent();
      assertThat(p.recheck(c)).isEqualTo(MirrorChange.SAME);
      assertThat(p.requestsSent() - before)
          .as("a conditional GET of InRelease, a HEAD of the lock")
          .isEqualTo(2);
      Path lock = tree.resolve("Archive-Update-in-Progress-127.0.0.1");
      Files.writeString(lock, "1\n");
      assertThat(p.recheck(c)).as("a sync has begun").isEqualTo(MirrorChange.CHANGED);
      assertThat(told).isEmpty();
      assertThat(p.probe(c, known).get("http").get("bookworm").health()).isEqualTo(Health.SYNCING);
      assertThat(told).as("a mirror syncs: the node is told to look").containsExactly("bookworm");
      Files.delete(lock);

      assertThat(
              new ProcessBuilder("rsync", "-a", "--delete", v2 + "/", tree + "/").start().waitFor())
          .isZero();
      assertThat(p.recheck(c)).isEqualTo(MirrorChange.CHANGED);
      assertThat(p.probe(c, known).get("http").get("bookworm").health()).isEqualTo(Health.AHEAD);
      assertThat(p.recheck(c)).isEqualTo(MirrorChange.SAME);
      moving.close();
      assertThat(p.recheck(c)).isEqualTo(MirrorChange.UNREACHABLE);
    }
  }
}
