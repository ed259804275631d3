package org.mirrordirector.director;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.Unreachable;

/**
 * The redirect path looks at mirrors best-ranked first and stops at the first class with a
 * qualifying one; explain looks at all of them. Over random fleets, views, clients and requests,
 * both must choose exactly what the definition says: among every qualifying mirror, those of the
 * best tier and 1,000 km step, then by weight and the client's address.
 */
class SelectionWalkTest {
  @TempDir static Path dir;

  @BeforeAll
  static void snapshots() throws Exception {
    TestFleet.create(dir);
  }

  private static final String[][] PLACES = {
    {"GB", "EU", "51.5", "-0.1"},
    {"DE", "EU", "52.5", "13.4"},
    {"FR", "EU", "48.9", "2.3"},
    {"US", "NA", "40.7", "-74.0"},
    {"US", "NA", "37.8", "-122.4"},
    {"JP", "AS", "35.7", "139.7"},
    {"AU", "OC", "-33.9", "151.2"}
  };

  @Test
  void theWalkChoosesWhatTheDefinitionSaysOverRandomFleetsAndClients() throws Exception {
    Random r = new Random(42);
    MirrorSelector selector = new MirrorSelector(SelectionPolicy.defaults());
    List<String> paths =
        List.of(
            "/raspbian/dists/bookworm/InRelease",
            "/raspbian/" + TestFleet.onlyInS2,
            "/raspbian/" + TestFleet.inBoth,
            "/raspbian/pool/main/n/nowhere/nowhere_1_armhf.deb",
            "/raspbian/project/trace/master",
            "/raspbian/dists/bookworm/main/binary-armhf/by-hash/SHA256/" + hashOnlyIn(s2(), s1()),
            "/raspbian/dists/bookworm/main/binary-armhf/by-hash/SHA256/" + hashOnlyIn(s1(), s2()));
    int compared = 0;
    int redirects = 0;
    // Half the clients come from a few locations met again and again, across views: what the
    // walk found for one view must not be used for another.
    List<ClientLocation> regulars = new java.util.ArrayList<>();
    for (int k = 0; k < 6; k++) {
      String[] p = PLACES[k];
      regulars.add(
          new ClientLocation(
              "192.0.2.1",
              p[0],
              p[1],
              null,
              Double.parseDouble(p[2]) + r.nextGaussian(),
              Double.parseDouble(p[3]) + r.nextGaussian()));
    }
    for (int round = 0; round < 30; round++) {
      // Every third round changes only the probe results: the rankings are kept, not the states.
      ClusterView view = fleet(new Random(round / 3), new Random(round), 40);
      for (int k = 0; k < 40; k++) {
        String[] p = PLACES[r.nextInt(PLACES.length)];
        ClientLocation client =
            new ClientLocation(
                "192.0.2." + r.nextInt(256),
                r.nextInt(5) == 0 ? null : p[0],
                p[1],
                r.nextInt(4) == 0 ? 64500L + r.nextInt(40) : null,
                r.nextInt(6) == 0 ? null : Double.parseDouble(p[2]) + r.nextGaussian(),
                Double.parseDouble(p[3]) + r.nextGaussian());
        if (client.latitude() == null) {
          client =
              new ClientLocation(
                  client.address(), client.country(), client.continent(), client.asn(), null, null);
        }
        if (r.nextBoolean()) {
          ClientLocation g = regulars.get(r.nextInt(regulars.size()));
          client =
              new ClientLocation(
                  client.address(),
                  g.country(),
                  g.continent(),
                  g.asn(),
                  g.latitude(),
                  g.longitude());
        }
        String scheme = r.nextBoolean() ? "http" : "https";
        RequestPath path =
            RequestPath.classify(paths.get(r.nextInt(paths.size())), List.of("/raspbian/"));
        MirrorSelection fast =
            selector.select(path, scheme, client, view, TestFleet.files, TestFleet.NOW, false);
        MirrorSelection full =
            selector.select(path, scheme, client, view, TestFleet.files, TestFleet.NOW, true);
        assertThat(full.candidates()).hasSize(view.mirrors().size());
        String expected = definition(full.candidates(), client);
        assertThat(full.chosen() == null ? null : full.chosen().mirror()).isEqualTo(expected);
        assertThat(fast.chosen() == null ? null : fast.chosen().mirror()).isEqualTo(expected);
        assertThat(fast.outcome()).isEqualTo(full.outcome());
        assertThat(fast.location()).isEqualTo(full.location());
        // Asked again, and by another address at the same location: a pool or by-hash request
        // now finds the walk's result remembered, and must choose as the definition says still.
        MirrorSelection again =
            selector.select(path, scheme, client, view, TestFleet.files, TestFleet.NOW, false);
        assertThat(again.location()).isEqualTo(full.location());
        assertThat(again.outcome()).isEqualTo(full.outcome());
        ClientLocation twin =
            new ClientLocation(
                "192.0.2." + r.nextInt(256),
                client.country(),
                client.continent(),
                client.asn(),
                client.latitude(),
                client.longitude());
        MirrorSelection twinFast =
            selector.select(path, scheme, twin, view, TestFleet.files, TestFleet.NOW, false);
        MirrorSelection twinFull =
            selector.select(path, scheme, twin, view, TestFleet.files, TestFleet.NOW, true);
        assertThat(twinFast.chosen() == null ? null : twinFast.chosen().mirror())
            .isEqualTo(definition(twinFull.candidates(), twin));
        assertThat(twinFast.location()).isEqualTo(twinFull.location());
        if (full.chosen() != null) {
          assertThat(full.why()).isEqualTo(full.chosen().mirror() + ": " + full.chosen().reason());
          assertThat(full.chosen().reason()).isNotEqualTo("qualifies");
        }
        compared++;
        if (full.outcome() == SelectionOutcome.REDIRECT) {
          redirects++;
        }
      }
    }
    assertThat(compared).isEqualTo(1200);
    assertThat(redirects).as("the fleets are not all broken").isGreaterThan(600);
  }

  @Test
  void aClientInsideAMirrorsNetworkGetsItBeforeNearerMirrors() throws Exception {
    Map<String, MirrorView> ms = new HashMap<>();
    ms.put(
        "gb",
        TestFleet.m(
            config("gb", 0, List.of()), TestFleet.state("gb", TestFleet.s2, Health.OK, null)));
    ms.put(
        "campus",
        TestFleet.m(
            config("campus", 3, List.of("203.0.113.0/24", "2001:db8::/32")),
            TestFleet.state("campus", TestFleet.s2, Health.OK, null)));
    ClusterView view = TestFleet.view(ms);
    MirrorSelector selector = new MirrorSelector(SelectionPolicy.defaults());
    RequestPath pool = RequestPath.classify("/raspbian/" + TestFleet.inBoth, List.of("/raspbian/"));
    ClientLocation inside = new ClientLocation("203.0.113.9", "GB", "EU", null, 51.5, -0.1);
    ClientLocation inside6 = new ClientLocation("2001:db8::7", "GB", "EU", null, 51.5, -0.1);
    ClientLocation outside = new ClientLocation("198.51.100.9", "GB", "EU", null, 51.5, -0.1);
    for (boolean every : new boolean[] {false, true}) {
      assertThat(
              selector
                  .select(pool, "http", inside, view, TestFleet.files, TestFleet.NOW, every)
                  .chosen()
                  .mirror())
          .isEqualTo("campus");
      assertThat(
              selector
                  .select(pool, "http", inside6, view, TestFleet.files, TestFleet.NOW, every)
                  .chosen()
                  .mirror())
          .isEqualTo("campus");
      assertThat(
              selector
                  .select(pool, "http", outside, view, TestFleet.files, TestFleet.NOW, every)
                  .chosen()
                  .mirror())
          .isEqualTo("gb");
    }
    MirrorSelection explained =
        selector.select(pool, "http", inside, view, TestFleet.files, TestFleet.NOW, true);
    assertThat(explained.candidates())
        .filteredOn(c -> c.mirror().equals("campus"))
        .singleElement()
        .extracting(MirrorCandidate::tier)
        .isEqualTo(0);
    // A bad network entry from the registry is ignored, not fatal.
    ms.put(
        "campus",
        TestFleet.m(
            config("campus", 3, List.of("not-a-network")),
            TestFleet.state("campus", TestFleet.s2, Health.OK, null)));
    assertThat(
            selector
                .select(
                    pool, "http", inside, TestFleet.view(ms), TestFleet.files, TestFleet.NOW, false)
                .chosen()
                .mirror())
        .isEqualTo("gb");
  }

  private static java.util.Set<String> s1() {
    return TestFleet.files.snapshot(TestFleet.s1).orElseThrow().byHash();
  }

  private static java.util.Set<String> s2() {
    return TestFleet.files.snapshot(TestFleet.s2).orElseThrow().byHash();
  }

  private static String hashOnlyIn(java.util.Set<String> in, java.util.Set<String> notIn) {
    return in.stream().filter(h -> !notIn.contains(h)).sorted().findFirst().orElseThrow();
  }

  /** The definition, applied to every candidate with its reason. */
  private static String definition(List<MirrorCandidate> all, ClientLocation client) {
    List<MirrorCandidate> ok = all.stream().filter(MirrorCandidate::eligible).toList();
    if (ok.isEmpty()) {
      return null;
    }
    long best = Long.MAX_VALUE;
    for (MirrorCandidate c : ok) {
      best = Math.min(best, key(c));
    }
    long b = best;
    List<MirrorCandidate> group =
        ok.stream()
            .filter(c -> key(c) == b)
            .sorted(java.util.Comparator.comparing(MirrorCandidate::mirror))
            .toList();
    long total = group.stream().mapToLong(MirrorCandidate::weight).sum();
    long h = Integer.toUnsignedLong(client.address().hashCode() * 0x9E3779B1);
    if (total == 0) {
      return group.get((int) (h % group.size())).mirror();
    }
    long pick = h % total;
    for (MirrorCandidate c : group) {
      pick -= c.weight();
      if (pick < 0) {
        return c.mirror();
      }
    }
    throw new AssertionError();
  }

  private static long key(MirrorCandidate c) {
    return c.tier() * 1_000_000L
        + (c.distanceKm() == null ? 999_999 : (long) (c.distanceKm() / 1000));
  }

  private static MirrorConfig config(String id, int place, List<String> networks) {
    String[] p = PLACES[place];
    return new MirrorConfig(
        id,
        Map.of("http", "http://" + id + ".example.org/raspbian/"),
        p[0],
        p[1],
        Double.parseDouble(p[2]),
        Double.parseDouble(p[3]),
        null,
        networks,
        100,
        List.of(),
        true,
        false);
  }

  /** {@code configs} seeds the mirrors' places and settings, {@code states} their probe results. */
  private static ClusterView fleet(Random configs, Random states, int n) {
    Map<String, MirrorView> ms = new HashMap<>();
    Health[] healths = Health.values();
    for (int i = 0; i < n; i++) {
      String id = "m" + i;
      String[] p = PLACES[configs.nextInt(PLACES.length)];
      Map<String, String> urls = new HashMap<>();
      urls.put("http", "http://" + id + ".example.org/raspbian/");
      if (configs.nextInt(3) > 0) {
        urls.put("https", "https://" + id + ".example.org/raspbian/");
      }
      List<String> nets =
          configs.nextInt(8) == 0
              ? List.of("192.0.2." + (configs.nextInt(4) * 64) + "/26")
              : List.of();
      MirrorConfig c =
          new MirrorConfig(
              id,
              urls,
              p[0],
              p[1],
              configs.nextInt(8) == 0
                  ? null
                  : Double.parseDouble(p[2]) + configs.nextGaussian() * 3,
              Double.parseDouble(p[3]) + configs.nextGaussian() * 3,
              configs.nextInt(3) == 0 ? 64500L + configs.nextInt(40) : null,
              nets,
              configs.nextInt(6) == 0 ? 0 : 1 + configs.nextInt(200),
              configs.nextInt(12) == 0 ? List.of(p[0]) : List.of(),
              configs.nextInt(15) != 0,
              configs.nextInt(15) == 0);
      if (c.latitude() == null) {
        c =
            new MirrorConfig(
                id,
                urls,
                p[0],
                p[1],
                null,
                null,
                c.asn(),
                nets,
                c.weight(),
                c.countryOnly(),
                c.enabled(),
                c.drained());
      }
      Health h = healths[states.nextInt(10) < 6 ? 0 : states.nextInt(healths.length)];
      String snap = states.nextInt(4) == 0 ? TestFleet.s1 : TestFleet.s2;
      MirrorView v =
          TestFleet.m(
              c,
              states.nextInt(20) == 0
                  ? null
                  : TestFleet.state(id, snap, h, h == Health.LAGGING ? 600_000L : null));
      // Some healthy ones did not answer the quick check a moment ago: out of routing on every
      // path, the walk's arrays and explain's checks alike.
      if (states.nextInt(10) == 0) {
        v =
            new MirrorView(
                v.config(),
                v.state(),
                new Unreachable(id, TestFleet.NOW - 1500, "connection refused at 192.0.2.9:80"));
      }
      ms.put(id, v);
    }
    return TestFleet.view(ms);
  }
}
