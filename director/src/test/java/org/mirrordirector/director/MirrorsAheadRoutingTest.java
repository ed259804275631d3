package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.director.TestFleet.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.SuiteIndex;
import org.mirrordirector.sync.archive.TrustedKeys;

/**
 * Routing while mirrors move ahead of the node: S1 and S2 are the node's own snapshots (S2
 * current), S3 is newer and known only from a mirror's indexes (learned). A client that got S3's
 * InRelease from the mirror ahead asks for S3's files next; a client with S1's lists asks for files
 * that S2 removed.
 */
class MirrorsAheadRoutingTest {
  @TempDir static Path dir;
  static SuiteIndex s3;
  static String onlyInS3;
  static String onlyInS1;

  @BeforeAll
  static void threeSnapshots() throws Exception {
    TestFleet.create(dir);
    Path c = TestFleet.newerThanS2(dir);
    TrustedKeys keys =
        TrustedKeys.load(keyring, List.of(), org.mirrordirector.sync.archive.Sha1Policy.REJECT);
    s3 =
        SuiteIndex.read(
            new LocalArchiveSource(c),
            "bookworm",
            Files.readAllBytes(c.resolve("dists/bookworm/InRelease")),
            keys,
            true,
            new HashMap<>());
    onlyInS3 =
        s3.pool().keySet().stream()
            .filter(p -> !Files.exists(s2Tree.resolve(p)))
            .sorted()
            .findFirst()
            .orElseThrow();
    try (Stream<Path> s = Files.walk(s1Tree.resolve("pool"))) {
      onlyInS1 =
          s.filter(p -> p.toString().endsWith(".deb"))
              .map(p -> s1Tree.relativize(p).toString())
              .filter(p -> !Files.exists(s2Tree.resolve(p)))
              .sorted()
              .findFirst()
              .orElseThrow();
    }
  }

  static ClusterView movingFleet() {
    Map<String, MirrorView> ms = new HashMap<>();
    ms.put(
        "current-gb",
        m(mirror("current-gb", "GB", false, List.of()), state("current-gb", s2, Health.OK, null)));
    ms.put(
        "ahead-de",
        m(
            mirror("ahead-de", "DE", false, List.of()),
            state("ahead-de", s3.inRelease(), Health.AHEAD, null)));
    ms.put(
        "lagging-gb",
        m(
            mirror("lagging-gb", "GB", false, List.of()),
            state("lagging-gb", s1, Health.LAGGING, 60_000L)));
    return view(ms);
  }

  static MirrorSelection select(String raw, ClientLocation c, FileKnowledge k) throws Exception {
    return new MirrorSelector(SelectionPolicy.defaults())
        .select(RequestPath.classify(raw, List.of("/raspbian/")), "http", c, movingFleet(), k, NOW);
  }

  static Map<String, String> reasons(MirrorSelection s) {
    return s.candidates().stream()
        .collect(Collectors.toMap(MirrorCandidate::mirror, MirrorCandidate::reason));
  }

  @Test
  void aMirrorAheadGetsInReleaseOnlyOnceTheDirectorKnowsItsSnapshot() throws Exception {
    MirrorSelection before = select("/raspbian/dists/bookworm/InRelease", DE, files);
    assertThat(reasons(before).get("ahead-de"))
        .startsWith("serves an unknown InRelease of bookworm");
    assertThat(before.chosen().mirror()).isEqualTo("current-gb");

    MirrorSelection after = select("/raspbian/dists/bookworm/InRelease", DE, files.withLearned(s3));
    assertThat(after.chosen().mirror()).as("the German client's own country").isEqualTo("ahead-de");
    assertThat(after.chosen().reason())
        .startsWith("serves a verified snapshot of bookworm newer than the director's own");

    // A fourth version is known (from another mirror, or the node's own sync): S3 is superseded.
    SuiteIndex s4 =
        new SuiteIndex(
            "bookworm",
            "f".repeat(64),
            java.time.Instant.parse("2026-01-04T00:00:00Z"),
            Optional.empty(),
            Map.of(),
            java.util.Set.of(),
            Map.of());
    MirrorSelection superseded =
        select("/raspbian/dists/bookworm/InRelease", DE, files.withLearned(s3).withLearned(s4));
    assertThat(superseded.chosen().mirror())
        .as("the node's current snapshot, whose files it keeps")
        .isEqualTo("current-gb");
    assertThat(reasons(superseded).get("ahead-de"))
        .startsWith(
            "serves a snapshot of bookworm newer than the director's own but older than the newest known (ffffffffffff)");
  }

  @Test
  void aFileOnlyTheNewerSnapshotListsGoesToTheMirrorAheadOfTheNode() throws Exception {
    FileKnowledge k = files.withLearned(s3);
    assertThat(k.snapshot(s3.inRelease()).orElseThrow().local()).isFalse();
    MirrorSelection s = select("/raspbian/" + onlyInS3, GB, k);
    assertThat(s.outcome()).isEqualTo(SelectionOutcome.REDIRECT);
    assertThat(s.chosen().mirror()).isEqualTo("ahead-de");
    assertThat(reasons(s).get("current-gb")).isEqualTo("no snapshot it serves lists the file");
    assertThat(select("/raspbian/" + onlyInS3, GB, files).outcome())
        .as("unknown to the director: no mirror is sent a file it cannot vouch for")
        .isEqualTo(SelectionOutcome.SERVE_LOCALLY);
    MirrorSelection explained =
        new MirrorSelector(SelectionPolicy.defaults().withHoldFor(Duration.ofSeconds(15)))
            .select(
                RequestPath.classify("/raspbian/" + onlyInS3, List.of("/raspbian/")),
                "http",
                GB,
                movingFleet(),
                files,
                NOW);
    assertThat(explained.why())
        .isEqualTo(
            "no snapshot this director knows lists it (a client ahead of the director?); held up"
                + " to 15 s while the node looks for it, then redirected as soon as a mirror"
                + " qualifies");
  }

  @Test
  void aFileTheNewestSnapshotRemovedIsServedFromTheKeptSnapshotNotAMirrorThatMayHaveMovedOn()
      throws Exception {
    MirrorSelection s = select("/raspbian/" + onlyInS1, GB, files);
    assertThat(s.outcome()).isEqualTo(SelectionOutcome.SERVE_LOCALLY);
    assertThat(s.why()).contains("the newest snapshot no longer lists it");
    assertThat(reasons(s).get("lagging-gb"))
        .as("explain still says what each mirror holds")
        .isEqualTo("its snapshot of bookworm lists the file");

    String removedByS3 =
        files.snapshot(s2).orElseThrow().pool().stream()
            .filter(p -> !s3.pool().containsKey(p))
            .sorted()
            .findFirst()
            .orElseThrow();
    MirrorSelection learnedNewest = select("/raspbian/" + removedByS3, GB, files.withLearned(s3));
    assertThat(learnedNewest.outcome())
        .as("a learned snapshot that removed it counts: mirrors at S2 are about to move")
        .isEqualTo(SelectionOutcome.SERVE_LOCALLY);
  }

  /** The redirector over a LocalConnector, holding requests for up to {@code hold}. */
  static final class Director implements AutoCloseable {
    final AtomicReference<FileKnowledge> knowledge = new AtomicReference<>(files);
    final AtomicReference<ClusterView> view = new AtomicReference<>(movingFleet());
    final AtomicInteger looks = new AtomicInteger();
    final AtomicBoolean catchingUp = new AtomicBoolean();
    final DirectorMetrics metrics;
    final Server server = new Server();
    final LocalConnector connector = new LocalConnector(server);

    Director(Duration hold) throws Exception {
      server.addConnector(connector);
      metrics =
          new DirectorMetrics(
              view::get, () -> false, new org.eclipse.jetty.server.handler.DefaultHandler());
      server.setHandler(
          new RedirectHandler(
              List.of("/raspbian/"),
              new MirrorSelector(SelectionPolicy.defaults().withHoldFor(hold)),
              view::get,
              knowledge::get,
              new LocalTree() {
                @Override
                public Optional<Path> current() {
                  return Optional.of(s2Tree);
                }

                @Override
                public List<Path> kept() {
                  return List.of(s2Tree, s1Tree);
                }
              },
              TrustedProxies.parse(List.of("0.0.0.0/32")),
              a -> GB,
              RedirectStats.fiveMinutes(),
              metrics,
              new CatchUp() {
                @Override
                public void lookNow() {
                  looks.incrementAndGet();
                }

                @Override
                public boolean catchingUp() {
                  return catchingUp.get();
                }
              }));
      server.start();
    }

    HttpTester.Response get(String target) throws Exception {
      return HttpTester.parseResponse(
          connector.getResponse(
              "GET " + target + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
              30,
              java.util.concurrent.TimeUnit.SECONDS));
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }

  @Test
  void aRequestForAFileTheDirectorDoesNotKnowIsHeldUntilItLearnsWhereTheFileIs() throws Exception {
    try (Director d = new Director(Duration.ofSeconds(10))) {
      long t0 = System.nanoTime();
      CompletableFuture<HttpTester.Response> r =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return d.get("/raspbian/" + onlyInS3);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(700);
      assertThat(r).isNotDone();
      assertThat(d.looks.get()).as("the node was asked to look at once").isEqualTo(1);
      d.knowledge.set(files.withLearned(s3)); // the prober learned S3 from the mirror ahead
      HttpTester.Response got = r.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(got.getStatus()).isEqualTo(302);
      assertThat(got.get("Location")).isEqualTo("http://ahead-de.example.org/raspbian/" + onlyInS3);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
      assertThat(d.metrics.text()).contains("md_held_requests_total{outcome=\"redirected\"} 1.0");
    }
  }

  @Test
  void aHeldRequestEndsIn503WhileTheNodeCatchesUpAnd404WhenNothingIsNewer() throws Exception {
    try (Director d = new Director(Duration.ofMillis(600))) {
      d.catchingUp.set(true);
      HttpTester.Response busy = d.get("/raspbian/pool/main/n/none/none_1_armhf.deb");
      assertThat(busy.getStatus()).isEqualTo(503);
      assertThat(busy.get("Retry-After")).isEqualTo("10");
      assertThat(busy.getContent()).contains("this node has not caught up");
      d.catchingUp.set(false);
      HttpTester.Response none = d.get("/raspbian/pool/main/n/none/none_1_armhf.deb");
      assertThat(none.getStatus()).isEqualTo(404);
      assertThat(none.getContent()).contains("not in any snapshot this director knows");
      assertThat(d.get("/raspbian/" + onlyInS1).getStatus())
          .as("a removed file this node keeps is served at once")
          .isEqualTo(200);
      assertThat(d.metrics.text()).contains("md_held_requests_total{outcome=\"expired\"} 2.0");
    }
  }
}
