package org.mirrordirector.sync.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The prober against real HTTP(S) mirrors over trees in chosen states, built from two real
 * snapshots of a synced archive: S1 (older) and S2 (current).
 */
class MirrorProberTest {
  @TempDir static Path dir;
  static TestArchive upstream;
  static KnownSnapshots known;
  static Path s1;
  static Path s2;
  static Path keyStore;
  static SSLContext tls;
  static final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeAll
  static void twoSnapshots() throws Exception {
    upstream = TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 40, 13));
    try (RsyncDaemon daemon = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      SyncAgent agent = agent(dir, daemon, upstream);
      SyncReport first = agent.runOnce();
      ArchiveGenerator.generate(
          GeneratorOptions.small(upstream.root, 0, 13).withUpdateFrom(upstream.root, 10));
      SyncReport second = agent.runOnce();
      assertThat(second.outcome()).isEqualTo(SyncOutcome.PUBLISHED);
      s1 = first.snapshot();
      s2 = second.snapshot();
      known = new LocalSnapshots(agent.store(), List.of("bookworm")).scan();
    }
    keyStore = Tls.keyStore(dir);
    tls = Tls.trusting(keyStore);
  }

  /** A node's sync agent over {@code dir/node}, copying {@code daemon}'s tree. */
  static SyncAgent agent(Path dir, RsyncDaemon daemon, TestArchive upstream) throws Exception {
    return new SyncAgent(
        SyncConfig.of(daemon.url(), dir.resolve("node"), List.of("bookworm"), "node-a"),
        upstream.keys());
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  static <T extends AutoCloseable> T keep(T server) {
    servers.add(server);
    return server;
  }

  static Path copyOf(Path snapshot, String name) throws Exception {
    Path out = dir.resolve("mirrors").resolve(name);
    Files.createDirectories(out.getParent());
    Process p = new ProcessBuilder("cp", "-al", snapshot.toString(), out.toString()).start();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  /** Replaces a hard-linked file with new content, leaving the snapshot's copy alone. */
  static void rewrite(Path file, byte[] content) throws IOException {
    Files.delete(file);
    Files.write(file, content);
  }

  static MirrorConfig mirror(String id, Map<String, String> urls) {
    return new MirrorConfig(
        id, urls, "GB", "EU", null, null, null, List.of(), 100, List.of(), true, false);
  }

  static MirrorConfig http(String id, TestMirror m) {
    return mirror(id, Map.of("http", m.base().toString()));
  }

  MirrorProber prober(Duration timeout) {
    return new MirrorProber(
        ProbeConfig.defaults(List.of("bookworm")).withTimeout(timeout).withSampleSize(100),
        keysOrThrow(),
        Clock.systemUTC(),
        tls);
  }

  static org.mirrordirector.sync.archive.TrustedKeys keysOrThrow() {
    try {
      return upstream.keys();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Observation only(Map<String, Map<String, Observation>> r, String scheme) {
    return r.get(scheme).get("bookworm");
  }

  @Test
  void theSnapshotsAreReadWithTheirNewFiles() {
    assertThat(known.oldestFirst()).hasSize(2);
    assertThat(known.current().orElseThrow().tree()).isEqualTo(s2);
    assertThat(known.oldestFirst().get(1).newPool()).isNotEmpty().hasSizeLessThan(20);
    assertThat(known.oldestFirst().get(1).indexSizes().get("bookworm"))
        .containsKey("main/binary-armhf/Packages.xz");
  }

  @Test
  void aMirrorAtTheCurrentSnapshotIsOkAndAnsweredConditionallyTheSecondTime() throws Exception {
    TestMirror m = keep(TestMirror.http(s2));
    try (MirrorProber p = prober(Duration.ofSeconds(5))) {
      Observation o = only(p.probe(http("current", m), known), "http");
      assertThat(o.health()).as(o.reason()).isEqualTo(Health.OK);
      assertThat(o.snapshot()).isEqualTo(known.current().orElseThrow().inRelease().get("bookworm"));
      assertThat(o.latencyMs()).isNotNull().isLessThan(5000);
      assertThat(o.traceMillis()).as("no trace named after 127.0.0.1 in this tree").isNull();
      Observation again = only(p.probe(http("current", m), known), "http");
      assertThat(again.health()).isEqualTo(Health.OK);
      assertThat(again.snapshot()).isEqualTo(o.snapshot());
      assertThat(m.conditionalRequests.get()).isPositive();
    }
  }

  @Test
  void aMirrorAtTheOlderSnapshotIsLaggingWithHowLong() throws Exception {
    TestMirror m = keep(TestMirror.http(s1));
    try (MirrorProber p = prober(Duration.ofSeconds(5))) {
      long before = System.currentTimeMillis();
      Observation o = only(p.probe(http("lagging", m), known), "http");
      long after = System.currentTimeMillis();
      assertThat(o.health()).as(o.reason()).isEqualTo(Health.LAGGING);
      assertThat(o.reason()).contains("at snapshot " + s1.getFileName() + ", 1 behind");
      // Lagging by exactly the time since its successor was published (the successor's trace
      // Date, whole seconds), as the probe's clock read it: not a lag of 0, not any lag.
      long published = known.oldestFirst().get(1).publishedAt().toEpochMilli();
      assertThat(published % 1000).as("a trace Date has whole seconds").isZero();
      assertThat(o.lagMillis()).isNotNull().isBetween(before - published, after - published);
      assertThat(before - published)
          .as("the successor's Date is in the past, so the lag is more than nothing")
          .isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void aMirrorMidSyncIsSyncing() throws Exception {
    Path locked = copyOf(s2, "locked");
    Files.writeString(locked.resolve("Archive-Update-in-Progress-127.0.0.1"), "1234\n");
    Path half = copyOf(s1, "half");
    rewrite(
        half.resolve("dists/bookworm/InRelease"),
        Files.readAllBytes(s2.resolve("dists/bookworm/InRelease")));
    try (MirrorProber p = prober(Duration.ofSeconds(5))) {
      Observation l = only(p.probe(http("locked", keep(TestMirror.http(locked))), known), "http");
      assertThat(l.health()).as(l.reason()).isEqualTo(Health.SYNCING);
      assertThat(l.reason()).contains("Archive-Update-in-Progress-127.0.0.1 is present");
      Observation h = only(p.probe(http("half", keep(TestMirror.http(half))), known), "http");
      assertThat(h.health()).as(h.reason()).isEqualTo(Health.SYNCING);
      assertThat(h.reason()).contains("does not match its indexes");
    }
  }

  @Test
  void aMissingPoolFileOrACorruptInReleaseIsBroken() throws Exception {
    Path missing = copyOf(s2, "missing");
    String gone =
        known.current().orElseThrow().newPool().keySet().stream()
            .sorted()
            .findFirst()
            .orElseThrow();
    Files.delete(missing.resolve(gone));
    Path corrupt = copyOf(s2, "corrupt");
    String in =
        Files.readString(corrupt.resolve("dists/bookworm/InRelease"), StandardCharsets.UTF_8);
    rewrite(
        corrupt.resolve("dists/bookworm/InRelease"),
        in.replace("Origin: ", "Origin: X").getBytes(StandardCharsets.UTF_8));
    try (MirrorProber p = prober(Duration.ofSeconds(5))) {
      Observation m = only(p.probe(http("missing", keep(TestMirror.http(missing))), known), "http");
      assertThat(m.health()).as(m.reason()).isEqualTo(Health.BROKEN);
      assertThat(m.reason()).isEqualTo("missing " + gone + " (HTTP 404)");
      Observation c = only(p.probe(http("corrupt", keep(TestMirror.http(corrupt))), known), "http");
      assertThat(c.health()).as(c.reason()).isEqualTo(Health.BROKEN);
      assertThat(c.reason()).startsWith("InRelease does not verify");
    }
  }

  @Test
  void refusedFailingAndSlowMirrorsAreDown() throws Exception {
    int closed;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    TestMirror failing = keep(TestMirror.failing(s2, 503));
    TestMirror slow = keep(TestMirror.slow(s2, 3000));
    try (MirrorProber p = prober(Duration.ofMillis(800))) {
      Observation r =
          only(
              p.probe(mirror("refused", Map.of("http", "http://127.0.0.1:" + closed + "/")), known),
              "http");
      assertThat(r.health()).isEqualTo(Health.DOWN);
      assertThat(r.reason()).isEqualTo("connection refused at 127.0.0.1:" + closed);
      Observation f = only(p.probe(http("failing", failing), known), "http");
      assertThat(f.health()).isEqualTo(Health.DOWN);
      assertThat(f.reason()).isEqualTo("HTTP 503 for /dists/bookworm/InRelease");
      long t0 = System.nanoTime();
      Observation s = only(p.probe(http("slow", slow), known), "http");
      assertThat(s.health()).isEqualTo(Health.DOWN);
      assertThat(s.reason()).isEqualTo("no answer within 800 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("a mirror that does not answer costs one timeout, not one per request")
          .isLessThan(Duration.ofMillis(2500));
    }
  }

  @Test
  void httpsAndHttpAreJudgedApart() throws Exception {
    TestMirror plain = keep(TestMirror.http(s2));
    TestMirror secure = keep(TestMirror.https(s1, keyStore));
    try (MirrorProber p = prober(Duration.ofSeconds(5))) {
      Map<String, Map<String, Observation>> r =
          p.probe(
              mirror(
                  "split",
                  Map.of("http", plain.base().toString(), "https", secure.base().toString())),
              known);
      assertThat(only(r, "http").health()).isEqualTo(Health.OK);
      assertThat(only(r, "https").health()).as(only(r, "https").reason()).isEqualTo(Health.LAGGING);
    }
  }

  @Test
  void manyMirrorsAreProbedConcurrentlyWithinTheBound() throws Exception {
    TestMirror slow = keep(TestMirror.slow(s2, 300));
    List<MirrorConfig> many = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      many.add(http("m" + i, slow));
    }
    try (MirrorProber p =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm")).withParallelism(8).withSampleSize(1),
            upstream.keys(),
            Clock.systemUTC(),
            null)) {
      long t0 = System.nanoTime();
      Map<String, Map<String, Map<String, Observation>>> all = p.probeAll(many, known);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(all).hasSize(16);
      assertThat(all.values())
          .allSatisfy(m -> assertThat(m.get("http").get("bookworm").health()).isEqualTo(Health.OK));
      // Each mirror costs about 5 requests of 300 ms: 16 one by one would take 24 s; 8 at a time 3
      // s.
      assertThat(took).isLessThan(Duration.ofSeconds(12));
    }
  }

  @Test
  void aChangeOfHealthNeedsConsecutiveAgreeingProbes() {
    HealthTracker t = new HealthTracker(3);
    Observation ok =
        new Observation(Health.OK, "a".repeat(64), 5L, "at the current snapshot", null, null, true);
    Observation down = Observation.down("connection refused", null);
    assertThat(t.apply("m", "http", "s", ok, 1).health()).isEqualTo(Health.OK);
    SuiteState one = t.apply("m", "http", "s", down, 2);
    assertThat(one.health()).isEqualTo(Health.OK);
    assertThat(one.snapshot())
        .as("an unconfirmed probe that read nothing keeps the snapshot seen before")
        .isEqualTo("a".repeat(64));
    assertThat(one.reason())
        .isEqualTo(
            "still OK (at the current snapshot); 1 of 3 probes say DOWN: connection refused");
    assertThat(t.apply("m", "http", "s", ok, 3).health()).isEqualTo(Health.OK);
    assertThat(t.apply("m", "http", "s", down, 4).health()).isEqualTo(Health.OK);
    assertThat(t.apply("m", "http", "s", down, 5).health()).isEqualTo(Health.OK);
    SuiteState three = t.apply("m", "http", "s", down, 6);
    assertThat(three.health()).isEqualTo(Health.DOWN);
    assertThat(three.lastSuccessMillis()).isEqualTo(3);
    assertThat(three.snapshot()).isNull();
    assertThat(t.apply("m", "https", "s", down, 7).health())
        .as("each scheme has its own history")
        .isEqualTo(Health.DOWN);
  }

  @Test
  void inconsistentContentTakesAMirrorOutAtOnceAndComesBackOnlyAfterConfirmations() {
    HealthTracker t = new HealthTracker(2);
    String s1 = "1".repeat(64);
    String s2 = "2".repeat(64);
    Observation ok1 =
        new Observation(Health.OK, s1, 5L, "at the current snapshot", null, null, true);
    Observation syncing =
        new Observation(Health.SYNCING, s1, 5L, "sync lock present", null, null, true);
    Observation broken =
        new Observation(Health.BROKEN, s2, 5L, "InRelease ahead of its indexes", null, null, true);
    Observation ok2 =
        new Observation(Health.OK, s2, 5L, "at the current snapshot", null, null, true);
    assertThat(t.apply("m", "http", "s", ok1, 1).health()).isEqualTo(Health.OK);
    assertThat(t.apply("m", "http", "s", syncing, 2).health())
        .as("a sync lock is not noise: no more clients until it is gone")
        .isEqualTo(Health.SYNCING);
    SuiteState b = t.apply("m", "http", "s", broken, 3);
    assertThat(b.health()).isEqualTo(Health.BROKEN);
    assertThat(b.snapshot()).isEqualTo(s2);
    SuiteState first = t.apply("m", "http", "s", ok2, 4);
    assertThat(first.health())
        .as("one good answer does not bring it back")
        .isEqualTo(Health.BROKEN);
    assertThat(t.apply("m", "http", "s", ok2, 5).health()).isEqualTo(Health.OK);
    assertThat(t.apply("m", "http", "s", broken, 6).health()).isEqualTo(Health.BROKEN);
  }
}
