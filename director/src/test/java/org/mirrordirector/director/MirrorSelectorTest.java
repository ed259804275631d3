package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mirrordirector.director.TestFleet.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.CurrentSnapshot;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;

/**
 * Selection over two real snapshots (S1 older, S2 current) of a generated archive, with mirrors in
 * every state; each test asserts the reasons, not only the choice.
 */
class MirrorSelectorTest {
  @TempDir static Path dir;

  @BeforeAll
  static void twoSnapshots() throws Exception {
    TestFleet.create(dir);
  }

  static MirrorSelection select(
      SelectionPolicy p, String raw, String scheme, ClientLocation c, ClusterView v)
      throws Exception {
    return new MirrorSelector(p)
        .select(RequestPath.classify(raw, List.of("/raspbian/")), scheme, c, v, files, NOW);
  }

  static Map<String, String> reasons(MirrorSelection s) {
    return s.candidates().stream()
        .collect(Collectors.toMap(MirrorCandidate::mirror, MirrorCandidate::reason));
  }

  @Test
  void inReleaseGoesOnlyToAMirrorAtTheCurrentSnapshotAndEveryExclusionSaysWhy() throws Exception {
    MirrorSelection s =
        select(
            SelectionPolicy.defaults(), "/raspbian/dists/bookworm/InRelease", "https", GB, fleet());
    assertThat(s.outcome()).isEqualTo(SelectionOutcome.REDIRECT);
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
  void aCurrentSnapshotWhoseFilesTheDirectorHasNotLearnedIsNotRoutedTo() throws Exception {
    // A replica's view names S2 current before its own index copy of S2 has arrived.
    FileKnowledge onlyS1 = FileKnowledge.load(List.of(s1Tree), List.of("bookworm"));
    MirrorSelection s =
        new MirrorSelector(new SelectionPolicy(Duration.ZERO, List.of(FALLBACK), false))
            .select(
                RequestPath.classify("/raspbian/dists/bookworm/InRelease", List.of("/raspbian/")),
                "https",
                GB,
                fleet(),
                onlyS1,
                NOW,
                true);
    assertThat(s.outcome()).isEqualTo(SelectionOutcome.FALLBACK_MIRROR);
    assertThat(s.location()).isEqualTo(FALLBACK + "dists/bookworm/InRelease");
    assertThat(reasons(s).get("current-gb"))
        .isEqualTo(
            "serves the current snapshot of bookworm, whose files this director has not learned"
                + " yet");
    // Learned, it is routed to as before.
    assertThat(
            select(
                    SelectionPolicy.defaults(),
                    "/raspbian/dists/bookworm/InRelease",
                    "https",
                    GB,
                    fleet())
                .chosen()
                .mirror())
        .isEqualTo("current-gb");
  }

  static final String FALLBACK = "https://writers.example.org/raspbian/";

  @Test
  void aPoolFileGoesOnlyToMirrorsWhoseSnapshotListsIt() throws Exception {
    MirrorSelection newFile =
        select(SelectionPolicy.defaults(), "/raspbian/" + onlyInS2, "http", DE, fleet());
    assertThat(reasons(newFile).get("lagging-de"))
        .isEqualTo("no snapshot it serves lists the file");
    assertThat(newFile.chosen().mirror()).isIn("current-gb", "http-only");
    MirrorSelection old =
        select(SelectionPolicy.defaults(), "/raspbian/" + inBoth, "http", DE, fleet());
    assertThat(old.chosen().mirror())
        .as("the German client's own country first")
        .isEqualTo("lagging-de");
    assertThat(old.chosen().reason()).isEqualTo("its snapshot of bookworm lists the file");
    assertThat(old.location()).isEqualTo("http://lagging-de.example.org/raspbian/" + inBoth);
  }

  @Test
  void aPartialMirrorIsSentOnlyTheArchitecturesItCarries() throws Exception {
    String arch = RequestPath.classify("/raspbian/" + inBoth, List.of("/raspbian/")).architecture();
    assertThat(arch).isIn("armhf", "arm64", "all");
    Map<String, MirrorView> ms = new HashMap<>(fleet().mirrors());
    MirrorView de = ms.get("lagging-de");
    MirrorConfig c = de.config();
    MirrorConfig other = carrying(c, List.of("riscv64"));
    ms.put("lagging-de", m(other, de.state()));
    MirrorSelection s =
        select(SelectionPolicy.defaults(), "/raspbian/" + inBoth, "http", DE, view(ms));
    if (arch.equals("all")) {
      assertThat(s.chosen().mirror())
          .as("'all' is carried by every mirror")
          .isEqualTo("lagging-de");
      return;
    }
    assertThat(s.chosen().mirror()).isNotEqualTo("lagging-de");
    assertThat(reasons(s).get("lagging-de"))
        .isEqualTo("a partial mirror: carries riscv64, not " + arch);
    MirrorConfig carrying = carrying(c, List.of(arch, "source"));
    ms.put("lagging-de", m(carrying, de.state()));
    assertThat(
            select(SelectionPolicy.defaults(), "/raspbian/" + inBoth, "http", DE, view(ms))
                .chosen()
                .mirror())
        .isEqualTo("lagging-de");
    MirrorSelection index =
        select(
            SelectionPolicy.defaults(),
            "/raspbian/dists/bookworm/main/binary-arm64/Packages.xz",
            "http",
            DE,
            view(ms));
    assertThat(reasons(index).get("lagging-de"))
        .isEqualTo("a partial mirror: carries " + arch + ", source, not arm64");
  }

  /** The mirror as a partial one, carrying these architectures only. */
  static MirrorConfig carrying(MirrorConfig c, List<String> architectures) {
    return copy(c, c.enabled(), c.drained(), architectures);
  }

  @Test
  void theLagWindowLetsARecentlySupersededMirrorServeInRelease() throws Exception {
    MirrorSelection strict =
        select(
            SelectionPolicy.defaults(), "/raspbian/dists/bookworm/InRelease", "http", DE, fleet());
    assertThat(strict.chosen().mirror()).isNotEqualTo("lagging-de");
    MirrorSelection lenient =
        select(
            SelectionPolicy.defaults().withLagWindow(Duration.ofHours(1)),
            "/raspbian/dists/bookworm/InRelease",
            "http",
            DE,
            fleet());
    assertThat(lenient.chosen().mirror()).isEqualTo("lagging-de");
    assertThat(lenient.chosen().reason()).contains("600 s behind (within the lag window)");
    MirrorSelection tooLate =
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
    MirrorSelection s =
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
    Map<String, MirrorView> downOnly = new HashMap<>();
    downOnly.put(
        "down", m(mirror("down", "GB", true, List.of()), state("down", s2, Health.DOWN, null)));
    String in = "/raspbian/dists/bookworm/InRelease";
    assertThat(select(SelectionPolicy.defaults(), in, "http", GB, view(downOnly)).outcome())
        .isEqualTo(SelectionOutcome.SERVE_LOCALLY);
    MirrorSelection fb =
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
    assertThat(fb.outcome()).isEqualTo(SelectionOutcome.FALLBACK_MIRROR);
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
        .isEqualTo(SelectionOutcome.UNAVAILABLE);
  }

  @Test
  void aClientKeepsItsMirrorAndClientsSpreadByWeight() throws Exception {
    Map<String, MirrorView> two = new HashMap<>();
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

  @Test
  void aNewCurrentWhoseRecordHasNotArrivedLeavesTheLastResolvedOneCurrent() throws Exception {
    MirrorSelector selector = new MirrorSelector(SelectionPolicy.defaults());
    RequestPath in =
        RequestPath.classify("/raspbian/dists/bookworm/InRelease", List.of("/raspbian/"));
    ClusterView v = fleet();
    assertThat(selector.select(in, "http", GB, v, files, NOW).outcome())
        .isEqualTo(SelectionOutcome.REDIRECT);
    // archive/current now names snap-3, whose record the cache has not delivered yet.
    ClusterView ahead =
        new ClusterView(
            v.generation() + 1,
            v.source(),
            v.connected(),
            v.builtAtMillis(),
            v.epoch(),
            v.leader(),
            v.nodes(),
            v.mirrors(),
            v.snapshots(),
            new CurrentSnapshot("snap-3", NOW, 3),
            v.drills(),
            v.problems());
    MirrorSelection s = selector.select(in, "http", GB, ahead, files, NOW);
    assertThat(s.outcome()).isEqualTo(SelectionOutcome.REDIRECT);
    assertThat(s.chosen().reason()).isEqualTo("serves the current snapshot of bookworm");
    // A selector that never resolved one has nothing to keep.
    MirrorSelection fresh =
        new MirrorSelector(SelectionPolicy.defaults()).select(in, "http", GB, ahead, files, NOW);
    assertThat(fresh.outcome()).isEqualTo(SelectionOutcome.SERVE_LOCALLY);
    assertThat(reasons(fresh).get("current-gb"))
        .isEqualTo("no current snapshot of bookworm is recorded");
  }
}
