package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.director.MirrorSelector.Candidate;
import org.mirrordirector.director.MirrorSelector.Outcome;
import org.mirrordirector.director.MirrorSelector.Selection;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Payloads.CurrentSnapshot;
import org.mirrordirector.failover.Payloads.Health;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.MirrorState;
import org.mirrordirector.failover.Payloads.SnapshotRecord;
import org.mirrordirector.failover.Payloads.SuiteSnapshot;
import org.mirrordirector.failover.Payloads.SuiteState;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;

/**
 * Selection over two real snapshots (S1 older, S2 current) of a generated archive, with mirrors in
 * every state; each test asserts the reasons, not only the choice.
 */
class MirrorSelectorTest {
  @TempDir static Path dir;
  static FileKnowledge files;
  static String s1;
  static String s2;
  static String onlyInS2;
  static String inBoth;
  static final long NOW = 1_800_000_000_000L;
  static final ClientLocation GB = new ClientLocation("192.0.2.10", "GB", "EU", 64500L, 51.5, -0.1);
  static final ClientLocation DE =
      new ClientLocation("198.51.100.7", "DE", "EU", 64501L, 52.5, 13.4);

  @BeforeAll
  static void twoSnapshots() throws Exception {
    Path a = dir.resolve("s1");
    ArchiveGenerator.generate(ArchiveGenerator.Options.small(a, 30, 3));
    Path b = dir.resolve("s2");
    assertThat(new ProcessBuilder("cp", "-al", a.toString(), b.toString()).start().waitFor())
        .isZero();
    ArchiveGenerator.generate(
        ArchiveGenerator.Options.small(b, 0, 3)
            .withUpdateFrom(b, 20)
            .withDate(java.time.Instant.parse("2026-01-02T00:00:00Z")));
    s1 = SnapshotId.ofInRelease(Files.readAllBytes(a.resolve("dists/bookworm/InRelease"))).sha256();
    s2 = SnapshotId.ofInRelease(Files.readAllBytes(b.resolve("dists/bookworm/InRelease"))).sha256();
    files = FileKnowledge.load(List.of(a, b), List.of("bookworm"));
    try (Stream<Path> s = Files.walk(b.resolve("pool"))) {
      List<String> debs =
          s.filter(p -> p.toString().endsWith(".deb"))
              .map(p -> b.relativize(p).toString())
              .sorted()
              .toList();
      onlyInS2 = debs.stream().filter(p -> !Files.exists(a.resolve(p))).findFirst().orElseThrow();
      inBoth = debs.stream().filter(p -> Files.exists(a.resolve(p))).findFirst().orElseThrow();
    }
  }

  static MirrorConfig mirror(String id, String country, boolean https, List<String> only) {
    Map<String, String> urls = new HashMap<>();
    urls.put("http", "http://" + id + ".example.org/raspbian/");
    if (https) {
      urls.put("https", "https://" + id + ".example.org/raspbian");
    }
    double lat = country.equals("DE") ? 52.5 : country.equals("US") ? 40.7 : 51.5;
    double lon = country.equals("DE") ? 13.4 : country.equals("US") ? -74.0 : -0.1;
    return new MirrorConfig(
        id,
        urls,
        country,
        country.equals("US") ? "NA" : "EU",
        lat,
        lon,
        null,
        List.of(),
        100,
        only,
        true,
        false);
  }

  static MirrorState state(String id, String snapshot, Health h, Long lag) {
    SuiteState s = new SuiteState(snapshot, h, 20L, NOW, h + " reason", lag, null);
    return new MirrorState(
        id, Map.of("http", Map.of("bookworm", s), "https", Map.of("bookworm", s)), NOW);
  }

  static ClusterView view(Map<String, ClusterView.Mirror> mirrors) {
    SnapshotRecord r1 =
        new SnapshotRecord("snap-1", Map.of("bookworm", new SuiteSnapshot(s1, 1)), 1);
    SnapshotRecord r2 =
        new SnapshotRecord("snap-2", Map.of("bookworm", new SuiteSnapshot(s2, 2)), 2);
    return new ClusterView(
        1,
        ClusterView.Source.LIVE,
        true,
        NOW,
        3,
        "a",
        Map.of(),
        mirrors,
        Map.of("snap-1", r1, "snap-2", r2),
        new CurrentSnapshot("snap-2", NOW, 3),
        List.of(),
        List.of());
  }

  static ClusterView.Mirror m(MirrorConfig c, MirrorState s) {
    return new ClusterView.Mirror(c, s);
  }

  static ClusterView fleet() {
    Map<String, ClusterView.Mirror> ms = new HashMap<>();
    ms.put(
        "current-gb",
        m(mirror("current-gb", "GB", true, List.of()), state("current-gb", s2, Health.OK, null)));
    ms.put(
        "lagging-de",
        m(
            mirror("lagging-de", "DE", true, List.of()),
            state("lagging-de", s1, Health.LAGGING, 600_000L)));
    ms.put(
        "syncing",
        m(mirror("syncing", "GB", true, List.of()), state("syncing", s2, Health.SYNCING, null)));
    ms.put("down", m(mirror("down", "GB", true, List.of()), state("down", s2, Health.DOWN, null)));
    ms.put(
        "http-only",
        m(mirror("http-only", "GB", false, List.of()), state("http-only", s2, Health.OK, null)));
    ms.put(
        "us-only",
        m(mirror("us-only", "US", true, List.of("US")), state("us-only", s2, Health.OK, null)));
    ms.put("unprobed", m(mirror("unprobed", "GB", true, List.of()), null));
    MirrorConfig drained = mirror("drained", "GB", true, List.of());
    drained =
        new MirrorConfig(
            drained.id(),
            drained.baseUrls(),
            "GB",
            "EU",
            51.5,
            -0.1,
            null,
            List.of(),
            100,
            List.of(),
            true,
            true);
    ms.put("drained", m(drained, state("drained", s2, Health.OK, null)));
    return view(ms);
  }

  static Selection select(
      SelectionPolicy p, String raw, String scheme, ClientLocation c, ClusterView v)
      throws Exception {
    return new MirrorSelector(p)
        .select(RequestPath.classify(raw, List.of("/raspbian/")), scheme, c, v, files, NOW);
  }

  static Map<String, String> reasons(Selection s) {
    return s.candidates().stream().collect(Collectors.toMap(Candidate::mirror, Candidate::reason));
  }

  @Test
  void inReleaseGoesOnlyToAMirrorAtTheCurrentSnapshotAndEveryExclusionSaysWhy() throws Exception {
    Selection s =
        select(
            SelectionPolicy.defaults(), "/raspbian/dists/bookworm/InRelease", "https", GB, fleet());
    assertThat(s.outcome()).isEqualTo(Outcome.REDIRECT);
    assertThat(s.chosen().mirror()).isEqualTo("current-gb");
    assertThat(s.location())
        .isEqualTo("https://current-gb.example.org/raspbian/dists/bookworm/InRelease");
    Map<String, String> why = reasons(s);
    assertThat(why.get("current-gb")).isEqualTo("serves the current snapshot of bookworm");
    assertThat(why.get("lagging-de"))
        .startsWith("serves an older snapshot of bookworm (" + s1.substring(0, 12));
    assertThat(why.get("syncing")).isEqualTo("syncing: SYNCING reason");
    assertThat(why.get("down")).isEqualTo("down: DOWN reason");
    assertThat(why.get("http-only")).isEqualTo("has no https URL");
    assertThat(why.get("us-only")).isEqualTo("serves only clients in [US]");
    assertThat(why.get("unprobed")).isEqualTo("not probed yet");
    assertThat(why.get("drained")).isEqualTo("drained");
  }

  @Test
  void aPoolFileGoesOnlyToMirrorsWhoseSnapshotListsIt() throws Exception {
    Selection newFile =
        select(SelectionPolicy.defaults(), "/raspbian/" + onlyInS2, "http", DE, fleet());
    assertThat(reasons(newFile).get("lagging-de"))
        .isEqualTo("no snapshot it serves lists the file");
    assertThat(newFile.chosen().mirror()).isIn("current-gb", "http-only");
    Selection old = select(SelectionPolicy.defaults(), "/raspbian/" + inBoth, "http", DE, fleet());
    assertThat(old.chosen().mirror())
        .as("the German client's own country first")
        .isEqualTo("lagging-de");
    assertThat(old.chosen().reason()).isEqualTo("its snapshot of bookworm lists the file");
    assertThat(old.location()).isEqualTo("http://lagging-de.example.org/raspbian/" + inBoth);
  }

  @Test
  void theLagWindowLetsARecentlySupersededMirrorServeInRelease() throws Exception {
    Selection strict =
        select(
            SelectionPolicy.defaults(), "/raspbian/dists/bookworm/InRelease", "http", DE, fleet());
    assertThat(strict.chosen().mirror()).isNotEqualTo("lagging-de");
    Selection lenient =
        select(
            SelectionPolicy.defaults().withLagWindow(Duration.ofHours(1)),
            "/raspbian/dists/bookworm/InRelease",
            "http",
            DE,
            fleet());
    assertThat(lenient.chosen().mirror()).isEqualTo("lagging-de");
    assertThat(lenient.chosen().reason()).contains("600 s behind (within the lag window)");
    Selection tooLate =
        select(
            SelectionPolicy.defaults().withLagWindow(Duration.ofMinutes(5)),
            "/raspbian/dists/bookworm/InRelease",
            "http",
            DE,
            fleet());
    assertThat(tooLate.chosen().mirror()).isNotEqualTo("lagging-de");
  }

  @Test
  void byHashGoesToMirrorsHoldingThatHash() throws Exception {
    String hash =
        files.snapshot(s1).orElseThrow().byHash().stream()
            .filter(h -> !files.snapshot(s2).orElseThrow().byHash().contains(h))
            .sorted()
            .findFirst()
            .orElseThrow();
    Selection s =
        select(
            SelectionPolicy.defaults(),
            "/raspbian/dists/bookworm/main/binary-armhf/by-hash/SHA256/" + hash,
            "http",
            GB,
            fleet());
    assertThat(s.chosen().mirror()).isEqualTo("lagging-de");
    assertThat(reasons(s).get("current-gb")).isEqualTo("no snapshot it serves lists the hash");
  }

  @Test
  void withNoMirrorItFallsBackServesLocallyOrSays503() throws Exception {
    Map<String, ClusterView.Mirror> downOnly = new HashMap<>();
    downOnly.put(
        "down", m(mirror("down", "GB", true, List.of()), state("down", s2, Health.DOWN, null)));
    String in = "/raspbian/dists/bookworm/InRelease";
    assertThat(select(SelectionPolicy.defaults(), in, "http", GB, view(downOnly)).outcome())
        .isEqualTo(Outcome.SERVE_LOCALLY);
    Selection fb =
        select(
            new SelectionPolicy(
                Duration.ZERO,
                List.of(
                    "https://fallback.example.org/raspbian/",
                    "http://fallback.example.org/raspbian"),
                true),
            in,
            "http",
            GB,
            view(downOnly));
    assertThat(fb.outcome()).isEqualTo(Outcome.FALLBACK_MIRROR);
    assertThat(fb.location())
        .isEqualTo("http://fallback.example.org/raspbian/dists/bookworm/InRelease");
    assertThat(
            select(
                    new SelectionPolicy(Duration.ZERO, List.of(), false),
                    in,
                    "http",
                    GB,
                    view(downOnly))
                .outcome())
        .isEqualTo(Outcome.UNAVAILABLE);
  }

  @Test
  void aClientKeepsItsMirrorAndClientsSpreadByWeight() throws Exception {
    Map<String, ClusterView.Mirror> two = new HashMap<>();
    two.put("a", m(mirror("a", "GB", false, List.of()), state("a", s2, Health.OK, null)));
    two.put("b", m(mirror("b", "GB", false, List.of()), state("b", s2, Health.OK, null)));
    ClusterView v = view(two);
    String in = "/raspbian/dists/bookworm/InRelease";
    String first = select(SelectionPolicy.defaults(), in, "http", GB, v).chosen().mirror();
    for (int i = 0; i < 20; i++) {
      assertThat(select(SelectionPolicy.defaults(), in, "http", GB, v).chosen().mirror())
          .isEqualTo(first);
    }
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      ClientLocation c =
          new ClientLocation("10.0." + (i / 250) + "." + (i % 250), "GB", "EU", null, null, null);
      count.merge(
          select(SelectionPolicy.defaults(), in, "http", c, v).chosen().mirror(), 1, Integer::sum);
    }
    assertThat(count.get("a")).isBetween(800, 1200);
    assertThat(count.get("b")).isBetween(800, 1200);
  }
}
