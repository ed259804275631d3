package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rankings kept per client: 30,000 client location objects (more than the by-identity table has
 * slots, so that they collide), at three locations, asked for in turn and again: each gets the
 * ranking of its own location, the same one a fresh fleet computes.
 */
class MirrorRankingTest {
  @TempDir static Path dir;

  @BeforeAll
  static void fleet() throws Exception {
    TestFleet.create(dir);
  }

  @Test
  void everyClientGetsItsOwnLocationsRankingWhateverSharesItsSlot() {
    RankedFleet kept = RankedFleet.of(TestFleet.fleet().mirrors(), null);
    List<ClientLocation> clients = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      String a = "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255);
      clients.add(
          switch (i % 3) {
            case 0 -> new ClientLocation(a, "GB", "EU", 64500L, 51.5, -0.1);
            case 1 -> new ClientLocation(a, "DE", "EU", 64501L, 52.5, 13.4);
            default -> new ClientLocation(a, "BR", "SA", null, -23.5, -46.6);
          });
    }
    LocationRanking[] expected = new LocationRanking[3];
    for (int k = 0; k < 3; k++) {
      expected[k] = RankedFleet.of(TestFleet.fleet().mirrors(), null).ranking(clients.get(k));
    }
    assertThat(expected[0].order()).isNotEqualTo(expected[2].order());
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < clients.size(); i++) {
        LocationRanking r = kept.ranking(clients.get(i));
        LocationRanking e = expected[i % 3];
        assertThat(r.order()).as("client %d", i).isEqualTo(e.order());
        assertThat(r.tier()).as("client %d", i).isEqualTo(e.tier());
      }
    }
  }

  @Test
  void aRememberedGroupAnswersOnlyTheRequestsOfItsOwnKey() {
    RankedFleet f = RankedFleet.of(TestFleet.fleet().mirrors(), null);
    ClientLocation client = new ClientLocation("192.0.2.1", "GB", "EU", null, 51.5, -0.1);
    LocationRanking r = f.ranking(client);
    RoutingMasks rt = f.routing(TestFleet.files);
    MirrorGroup g =
        new MirrorGroup(
            rt.id,
            1,
            0,
            0,
            new MirrorCandidate[] {
              new MirrorCandidate("m", "http://m/", true, "qualifies", 1, 10.0, 1)
            },
            new int[] {1});
    r.remember(g);
    assertThat(r.group(rt, 1, 0, 0)).isSameAs(g);
    // Other holders that share its slot, another scheme or family: not this group.
    long other = 2;
    while (MirrorGroup.slot(other, 0, 0) != MirrorGroup.slot(1, 0, 0)) {
      other++;
    }
    assertThat(r.group(rt, other, 0, 0)).isNull();
    assertThat(r.group(rt, 1, 1, 0)).isNull();
    assertThat(r.group(rt, 1, 0, 1)).isNull();
    // The next view (same configurations, so the same ranking): a new routing table.
    RankedFleet next = RankedFleet.of(TestFleet.fleet().mirrors(), f);
    assertThat(next.ranking(client)).isSameAs(r);
    assertThat(r.group(next.routing(TestFleet.files), 1, 0, 0)).isNull();
    // A ranking re-sorted for one address remembers nothing.
    LocationRanking once = new LocationRanking(r.order(), r.cls(), r.tier(), r.km());
    once.remember(g);
    assertThat(once.group(rt, 1, 0, 0)).isNull();
  }
}
