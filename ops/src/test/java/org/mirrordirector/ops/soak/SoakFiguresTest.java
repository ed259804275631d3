package org.mirrordirector.ops.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SoakFiguresTest {
  private static final PublishedVersion V2 = new PublishedVersion(2, 0, "aa");
  private static final PublishedVersion V3 = new PublishedVersion(3, 10_000, "bb");
  private static final PublishedVersion V4 = new PublishedVersion(4, 20_000, "cc");
  private final SoakFigures figures =
      new SoakFigures(List.of(V2, V3, V4), List.<long[]>of(new long[] {11_000, 12_000}));

  private static SeenAt seen(long at, String sha) {
    return new SeenAt(at, sha);
  }

  @Test
  void aPublicationIsReachedWhenItOrANewerOneIsSeen() {
    // The registry skipped version 3 (its node synced after version 4 was out).
    List<SeenAt> current = List.of(seen(1, "aa"), seen(23_000, "cc"));
    List<SeenAt> routed = List.of(seen(1, "aa"), seen(12_500, "bb"), seen(24_000, "cc"));
    Map<String, List<SeenAt>> mirrors =
        Map.of(
            "m1", List.of(seen(1, "aa"), seen(11_000, "bb")),
            "m2", List.of(seen(1, "aa"), seen(14_000, "bb")),
            "m3", List.of(seen(1, "aa"), seen(30_000, "cc")),
            "m4", List.of(seen(1, "aa")));
    Freshness f = figures.freshness(V3, current, routed, mirrors);
    assertThat(f.snapshotMillis()).isEqualTo(13_000);
    assertThat(f.routedMillis()).isEqualTo(2_500);
    assertThat(f.routedUpMillis()).as("the upstream was down for 1 s of it").isEqualTo(1_500);
    assertThat(f.halfMillis()).as("the second of four mirrors").isEqualTo(4_000);
    assertThat(f.allMillis()).as("m4 never had it").isEqualTo(-1);
    Freshness g = figures.freshness(V4, current, routed, Map.of("m3", mirrors.get("m3")));
    assertThat(g.halfMillis()).isEqualTo(10_000);
    assertThat(g.allMillis()).isEqualTo(10_000);
  }

  @Test
  void countsWhatTheUpstreamNeverPublishedAndStepsBack() {
    List<SeenAt> routed =
        List.of(seen(1, "aa"), seen(2, "cc"), seen(3, "bb"), seen(4, "ff"), seen(5, "cc"));
    assertThat(figures.unknown(routed)).isEqualTo(1);
    assertThat(figures.wentBack(routed)).isEqualTo(1);
    assertThat(figures.version("ff")).isEqualTo(-1);
  }

  @Test
  void percentilesByNearestRankIgnoringTheUnreached() {
    List<Long> v = List.of(1000L, -1L, 3000L, 2000L, 4000L);
    assertThat(SoakFigures.percentile(v, 50)).isEqualTo(2.0);
    assertThat(SoakFigures.percentile(v, 99)).isEqualTo(4.0);
    assertThat(SoakFigures.percentile(List.of(-1L), 50)).isNaN();
  }

  @Test
  void failuresAreToldApartByWhatAptSaid() {
    Set<Integer> director = Set.of(46010);
    // Real apt 2.6 output: a 404 from the mirror the director redirected to.
    assertThat(
            SoakClients.cause(
                "Err:1 http://127.0.0.1:46010/f\n  404  File not found [IP: 127.0.0.1 46011]\n"
                    + "E: Failed to fetch http://127.0.0.1:46011/missing  404  File not found"
                    + " [IP: 127.0.0.1 46011]",
                director))
        .isEqualTo(FailureCause.NOT_FOUND_AFTER_REDIRECT);
    assertThat(
            SoakClients.cause(
                "Err:1 http://127.0.0.1:46010/f\n  404  Not Found [IP: 127.0.0.1 46010]", director))
        .isEqualTo(FailureCause.DIRECTOR_ERROR);
    // Real apt 2.6 output: the mirror redirected to refuses connections (IP: the director's).
    assertThat(
            SoakClients.cause(
                "Err:1 http://127.0.0.1:46010/f\n  Could not connect to 127.0.0.1:45999"
                    + " (127.0.0.1). - connect (111: Connection refused) [IP: 127.0.0.1 46010]",
                director))
        .isEqualTo(FailureCause.MIRROR_UNREACHABLE);
    assertThat(
            SoakClients.cause(
                "E: Failed to fetch http://127.0.0.1:46011/pool/main/f/foo.deb  Hash Sum mismatch",
                director))
        .isEqualTo(FailureCause.HASH_SUM_MISMATCH);
    assertThat(
            SoakClients.cause(
                "W: Some index files failed to download. They have been ignored", director))
        .isEqualTo(FailureCause.OTHER);
  }

  @Test
  void aDeploymentsPublicationsAreItsInReleasesInTheOrderOfTheirDates() {
    List<PublishedVersion> p =
        Soak.fromDates(Map.of("later", 20_000L, "first", 5_000L, "second", 10_000L));
    assertThat(p)
        .containsExactly(
            new PublishedVersion(1, 5_000, "first"),
            new PublishedVersion(2, 10_000, "second"),
            new PublishedVersion(3, 20_000, "later"));
  }

  @Test
  void theDateOfASignedInRelease() {
    byte[] in =
        ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: Raspbian\n"
                + "Date: Sat, 28 Nov 2026 10:15:02 UTC\nSHA256:\n"
                + "-----BEGIN PGP SIGNATURE-----\nDate: Sun, 01 Jan 2034 00:00:00 UTC\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(SoakWatch.date(in))
        .contains(java.time.Instant.parse("2026-11-28T10:15:02Z").toEpochMilli());
    assertThat(SoakWatch.date("Origin: x\nDate: not a date\n".getBytes())).isEmpty();
    assertThat(SoakWatch.date("Origin: x\n".getBytes())).isEmpty();
  }

  @Test
  void everyKindOncePerCycleInAShuffledOrderThatASeedReplays() {
    List<String> kinds = List.of("a", "b", "c", "d");
    List<String> cycle = new java.util.ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    List<String> drawn = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      drawn.add(SoakFaults.next(cycle, kinds, random));
    }
    for (int c = 0; c < 3; c++) {
      assertThat(drawn.subList(4 * c, 4 * c + 4)).containsExactlyInAnyOrderElementsOf(kinds);
    }
    List<String> again = new java.util.ArrayList<>();
    List<String> cycle2 = new java.util.ArrayList<>();
    java.util.Random same = new java.util.Random(7);
    for (int i = 0; i < 12; i++) {
      again.add(SoakFaults.next(cycle2, kinds, same));
    }
    assertThat(again).isEqualTo(drawn);
  }

  @Test
  void aFailureAtAMirrorThatDroppedOffIsToldApartWithItsDrop() {
    Set<Integer> director = Set.of(46010);
    // Real apt 2.6 outputs: refused (its [IP: ...] is the director's, which redirected), and reset
    // (the mirror's own address).
    String refused =
        "Err:1 http://127.0.0.1:46010/f\n  Could not connect to 127.0.0.1:45999"
            + " (127.0.0.1). - connect (111: Connection refused) [IP: 127.0.0.1 46010]";
    String reset =
        "E: Failed to fetch http://127.0.0.1:45999/pool/x.deb  Connection failed"
            + " [IP: 127.0.0.1 45999]";
    assertThat(SoakClients.cause(reset, director)).isEqualTo(FailureCause.MIRROR_UNREACHABLE);
    assertThat(SoakClients.unreachablePort(refused, director)).isEqualTo(45999);
    assertThat(SoakClients.unreachablePort(reset, director)).isEqualTo(45999);
    assertThat(
            SoakClients.unreachablePort(
                "E: Failed to fetch http://127.0.0.1:46010/f  Connection failed"
                    + " [IP: 127.0.0.1 46010]",
                director))
        .as("the director itself is never the mirror that dropped off")
        .isEqualTo(-1);

    FaultDone drop = new FaultDone("drop", "mirror-2", 10_000, 20_000, "refused connections");
    FaultDone lag = new FaultDone("lag", "mirror-2", 0, 30_000, "stopped copying");
    MirrorDrops drops =
        new MirrorDrops(
            java.util.Map.of(45999, "mirror-2", 45998, "mirror-1"), director, List.of(lag, drop));
    ClientOperation during = new ClientOperation("c1", "download", 9_000, 12_000, false, refused);
    assertThat(drops.dropOf(during)).contains(drop);
    assertThat(drops.dropOf(new ClientOperation("c1", "update", 15_000, 21_000, false, reset)))
        .contains(drop);
    assertThat(MirrorDrops.describe(drop, during))
        .contains("mirror-2")
        .endsWith("started 1.0 s before it");
    assertThat(drops.dropOf(new ClientOperation("c1", "download", 1_000, 2_000, false, refused)))
        .as("over before the drop")
        .isEmpty();
    assertThat(drops.dropOf(new ClientOperation("c1", "download", 21_000, 22_000, false, reset)))
        .as("begun after the mirror was back")
        .isEmpty();
    assertThat(
            drops.dropOf(
                new ClientOperation(
                    "c1", "download", 11_000, 12_000, false, refused.replace("45999", "45998"))))
        .as("another mirror, which only lagged")
        .isEmpty();
    assertThat(drops.dropOf(new ClientOperation("c1", "download", 11_000, 12_000, true, refused)))
        .as("a success")
        .isEmpty();
  }

  @Test
  void aFailuresMirrorsAreNamedByTheirPorts() {
    String apt =
        "Get:1 http://127.0.0.1:38151 bookworm InRelease [1937 B]\n"
            + "Err:2 http://127.0.0.1:36905/raspbian bookworm/main armhf Packages\n"
            + "  File has unexpected size (13364 != 13632). Mirror sync in progress? [IP: 127.0.0.1"
            + " 38151]\n";
    assertThat(
            SoakReport.mirrorsNamed(
                apt, new java.util.TreeMap<>(java.util.Map.of(38151, "mirror-pushed", 3815, "x"))))
        .isEqualTo("(mirrors named here: 38151 mirror-pushed)\n");
    assertThat(SoakReport.mirrorsNamed(apt, java.util.Map.of(40033, "mirror-naive"))).isEmpty();
  }
}
