package org.mirrordirector.director;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;

/**
 * How the mirrors rank for a client, kept per view: the fleet sorted by id with its parsed
 * networks, the ranking of each client location (computed once, kept while the mirrors'
 * configurations do not change), and the per-view arrays that decide pool and by-hash requests with
 * one mask test per mirror, and each ranking's remembered classes of qualifying mirrors ({@link
 * MirrorGroup}). {@link MirrorSelector} walks these; the rules of what qualifies are {@link
 * MirrorChecks}.
 */
final class RankedFleet {
  /** Client locations whose ranking is kept; more are dropped all at once and recomputed. */
  private static final int MAX_RANKINGS = 20_000;

  /** Slots of the by-identity table of recent clients (a power of two). */
  private static final int BY_CLIENT = 8192;

  /** A client location object and its ranking. */
  private record Remembered(ClientLocation client, LocationRanking ranking) {}

  /** A client location without its address: what the ranking of the mirrors depends on. */
  private record LocationKey(
      Long asn, String country, String continent, Double latitude, Double longitude) {
    static LocationKey of(ClientLocation c) {
      return new LocationKey(c.asn(), c.country(), c.continent(), c.latitude(), c.longitude());
    }
  }

  /**
   * The ranking for this client. A mirror whose networks hold the client's address is in tier 0,
   * like one in the client's ASN: the cached ranking of the location is re-sorted for this address
   * (rare: only clients inside a mirror's networks pay for it).
   */
  LocationRanking forClient(ClientLocation client) {
    RankedFleet f = this;
    LocationRanking r = ranking(client);
    if (f.withNetworks.length == 0) {
      return r;
    }
    byte[] a = AddressBlocks.literal(client.address());
    if (a == null) {
      return r;
    }
    int[] tier = null;
    int[] cls = null;
    for (int i : f.withNetworks) {
      if (r.tier()[i] != 0 && f.networks[i].contains(a)) {
        if (tier == null) {
          tier = r.tier().clone();
          cls = r.cls().clone();
        }
        cls[i] -= tier[i] * 1_000_000;
        tier[i] = 0;
      }
    }
    if (tier == null) {
      return r;
    }
    int[] by = cls;
    Integer[] order = new Integer[tier.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> by[i]));
    return new LocationRanking(
        java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray(), cls, tier, r.km());
  }

  private static int tier(MirrorConfig m, ClientLocation c) {
    if (c.asn() != null && c.asn().equals(m.asn())) {
      return 0;
    }
    if (c.country() != null && c.country().equals(m.country())) {
      return 1;
    }
    if (c.continent() != null && c.continent().equals(m.continent())) {
      return 2;
    }
    return 3;
  }

  private static Double distance(MirrorConfig m, ClientLocation c) {
    if (m.latitude() == null
        || m.longitude() == null
        || c.latitude() == null
        || c.longitude() == null) {
      return null;
    }
    double p1 = Math.toRadians(c.latitude());
    double p2 = Math.toRadians(m.latitude());
    double dp = p2 - p1;
    double dl = Math.toRadians(m.longitude() - c.longitude());
    double a =
        Math.pow(Math.sin(dp / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * 6371.0 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  final Map<String, MirrorView> source;
  final List<MirrorConfig> configs;
  final MirrorView[] mirrors;
  final AddressBlocks[] networks;
  final int[] withNetworks;
  // What a qualified candidate is made of, in arrays by mirror: no pointers to follow to the
  // configuration and its map of URLs for the one chosen.
  final String[] ids;
  final String[][] bases; // [0 http, 1 https][mirror]
  final int[] weights;
  final java.util.concurrent.ConcurrentHashMap<LocationKey, LocationRanking> rankings;
  // The last ranking handed to each of the recent ClientLocation objects, by identity: GeoIP
  // hands out one object per recent address, so a client's next request finds its ranking here
  // with no hashing of the location. A racy table: an entry is immutable, so a thread sees a
  // whole one or an older one, and a miss only costs the lookup below.
  final Remembered[] byClient;
  private volatile RoutingMasks routing;

  private RankedFleet(Map<String, MirrorView> source, RankedFleet previous) {
    this.source = source;
    this.mirrors =
        source.values().stream()
            .sorted(Comparator.comparing(m -> m.config().id()))
            .toArray(MirrorView[]::new);
    this.configs = java.util.Arrays.stream(mirrors).map(MirrorView::config).toList();
    this.ids = new String[mirrors.length];
    this.bases = new String[2][mirrors.length];
    this.weights = new int[mirrors.length];
    for (int i = 0; i < mirrors.length; i++) {
      MirrorConfig c = mirrors[i].config();
      ids[i] = c.id();
      bases[0][i] = c.baseUrls().get("http");
      bases[1][i] = c.baseUrls().get("https");
      weights[i] = c.weight();
    }
    if (previous != null && previous.configs.equals(configs)) {
      this.networks = previous.networks;
      this.withNetworks = previous.withNetworks;
      this.rankings = previous.rankings;
      this.byClient = previous.byClient;
      return;
    }
    this.networks = new AddressBlocks[mirrors.length];
    List<Integer> with = new ArrayList<>();
    for (int i = 0; i < mirrors.length; i++) {
      MirrorConfig c = mirrors[i].config();
      AddressBlocks b;
      try {
        b = AddressBlocks.parse(c.prefixes(), "mirror " + c.id() + " prefix");
      } catch (IllegalArgumentException e) {
        b = AddressBlocks.NONE; // a bad entry from the registry ranks nobody, crashes nothing
      }
      networks[i] = b;
      if (!b.isEmpty()) {
        with.add(i);
      }
    }
    this.withNetworks = with.stream().mapToInt(Integer::intValue).toArray();
    this.rankings = new java.util.concurrent.ConcurrentHashMap<>();
    this.byClient = new Remembered[BY_CLIENT];
  }

  /** The routing table of this fleet against this file knowledge, built once per pair. */
  RoutingMasks routing(FileKnowledge files) {
    RoutingMasks r = routing;
    if (r == null || r.files != files) {
      r = new RoutingMasks(mirrors, files);
      routing = r;
    }
    return r;
  }

  static RankedFleet of(Map<String, MirrorView> source, RankedFleet previous) {
    return new RankedFleet(source, previous);
  }

  LocationRanking ranking(ClientLocation client) {
    int slot = System.identityHashCode(client) & (BY_CLIENT - 1);
    Remembered m = byClient[slot];
    if (m != null && m.client == client) {
      return m.ranking;
    }
    // Clients at one location share one ranking.
    LocationKey key = LocationKey.of(client);
    LocationRanking r = rankings.get(key);
    if (r == null) {
      if (rankings.size() >= MAX_RANKINGS) {
        rankings.clear(); // a flood of new locations costs recomputation, never memory
      }
      r = rank(client);
      rankings.put(key, r);
    }
    byClient[slot] = new Remembered(client, r);
    return r;
  }

  private LocationRanking rank(ClientLocation client) {
    int n = mirrors.length;
    int[] cls = new int[n];
    int[] tier = new int[n];
    Double[] km = new Double[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      MirrorConfig c = mirrors[i].config();
      tier[i] = tier(c, client);
      km[i] = distance(c, client);
      cls[i] = tier[i] * 1_000_000 + (km[i] == null ? 999_999 : (int) (km[i] / 1000));
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> cls[i])); // stable: ids stay sorted
    return new LocationRanking(
        java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray(),
        cls,
        tier,
        km,
        new MirrorGroup[MirrorGroup.SLOTS]);
  }
}
