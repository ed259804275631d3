package org.mirrordirector.director;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.SuiteState;

/**
 * How the mirrors rank for a client, kept per view: the fleet sorted by id with its parsed
 * networks, the ranking of each client location (computed once, kept while the mirrors'
 * configurations do not change), and the per-view arrays that decide pool and by-hash requests with
 * one mask test per mirror, and each ranking's remembered classes of qualifying mirrors ({@link
 * Group}). {@link MirrorSelector} walks these; the rules of what qualifies are {@link
 * MirrorChecks}.
 */
final class MirrorRanking {
  private MirrorRanking() {}

  /** Client locations whose ranking is kept; more are dropped all at once and recomputed. */
  private static final int MAX_RANKINGS = 20_000;

  /** Slots of the by-identity table of recent clients (a power of two). */
  private static final int BY_CLIENT = 8192;

  /** A client location object and its ranking. */
  private record Remembered(ClientLocation client, Ranking ranking) {}

  /** A client location without its address: what the ranking of the mirrors depends on. */
  record LocationKey(
      Long asn, String country, String continent, Double latitude, Double longitude) {
    static LocationKey of(ClientLocation c) {
      return new LocationKey(c.asn(), c.country(), c.continent(), c.latitude(), c.longitude());
    }
  }

  /**
   * The mirrors of every location class, best first: by tier, then by 1,000 km distance step, then
   * by id. {@code cls} orders the classes; mirrors in one class are equals.
   */
  record Ranking(int[] order, int[] cls, int[] tier, Double[] km, Group[] groups) {
    /** A ranking not kept (one re-sorted for a single address): it remembers no groups. */
    Ranking(int[] order, int[] cls, int[] tier, Double[] km) {
      this(order, cls, tier, km, null);
    }

    /**
     * The best class of qualifying mirrors that a pool or by-hash request of these holders found
     * last, for this routing table, scheme and address family; null when none is remembered.
     */
    Group group(Routing routing, long holders, int scheme, int family) {
      if (groups == null) {
        return null;
      }
      Group g = groups[Group.slot(holders, scheme, family)];
      return g != null
              && g.routing == routing.id
              && g.holders == holders
              && g.scheme == scheme
              && g.family == family
          ? g
          : null;
    }

    void remember(Group g) {
      if (groups != null) {
        groups[Group.slot(g.holders, g.scheme, g.family)] = g;
      }
    }
  }

  /** Slots of a ranking's table of groups (a power of two). */
  static final int GROUPS = 16;

  /**
   * The result of the walk for one kind of request: the best class of qualifying mirrors, in
   * ranking order, as the candidates the walk made of them (immutable), with their weights. Every
   * input of the walk is in the key: the ranking (its owner), the routing table (the view's probe
   * results and the file knowledge, by {@link Routing#id}, so that an old one is not kept alive),
   * the snapshots that list the file, the scheme and the client's address family. Only walks that
   * met no restricted mirror are remembered (those are checked against the path itself). Immutable:
   * a ranking's table is racy, and a thread sees a whole group or none.
   */
  record Group(
      long routing,
      long holders,
      int scheme,
      int family,
      MirrorCandidate[] members,
      int[] weights) {
    static int slot(long holders, int scheme, int family) {
      long h = (holders * 0x9E3779B97F4A7C15L) >>> 40;
      return (int) (h ^ (scheme << 1) ^ family) & (GROUPS - 1);
    }
  }

  /**
   * The mirrors of one view, sorted by id, with their parsed networks and the rankings computed so
   * far for each client location. A new view with the same mirror configurations (only probe
   * results changed) keeps the rankings.
   */
  static final class Fleet {
    final Map<String, ClusterView.Mirror> source;
    final List<MirrorConfig> configs;
    final ClusterView.Mirror[] mirrors;
    final AddressBlocks[] networks;
    final int[] withNetworks;
    // What a qualified candidate is made of, in arrays by mirror: no pointers to follow to the
    // configuration and its map of URLs for the one chosen.
    final String[] ids;
    final String[][] bases; // [0 http, 1 https][mirror]
    final int[] weights;
    final java.util.concurrent.ConcurrentHashMap<LocationKey, Ranking> rankings;
    // The last ranking handed to each of the recent ClientLocation objects, by identity: GeoIP
    // hands out one object per recent address, so a client's next request finds its ranking here
    // with no hashing of the location. A racy table: an entry is immutable, so a thread sees a
    // whole one or an older one, and a miss only costs the lookup below.
    final Remembered[] byClient;
    private volatile Routing routing;

    private Fleet(Map<String, ClusterView.Mirror> source, Fleet previous) {
      this.source = source;
      this.mirrors =
          source.values().stream()
              .sorted(Comparator.comparing(m -> m.config().id()))
              .toArray(ClusterView.Mirror[]::new);
      this.configs = java.util.Arrays.stream(mirrors).map(ClusterView.Mirror::config).toList();
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
    Routing routing(FileKnowledge files) {
      Routing r = routing;
      if (r == null || r.files != files) {
        r = new Routing(this, files);
        routing = r;
      }
      return r;
    }

    static Fleet of(Map<String, ClusterView.Mirror> source, Fleet previous) {
      return new Fleet(source, previous);
    }

    Ranking ranking(ClientLocation client) {
      int slot = System.identityHashCode(client) & (BY_CLIENT - 1);
      Remembered m = byClient[slot];
      if (m != null && m.client == client) {
        return m.ranking;
      }
      // Clients at one location share one ranking.
      LocationKey key = LocationKey.of(client);
      Ranking r = rankings.get(key);
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

    private Ranking rank(ClientLocation client) {
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
      return new Ranking(
          java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray(),
          cls,
          tier,
          km,
          new Group[GROUPS]);
    }
  }

  /**
   * What a pool or by-hash request needs of each mirror, in arrays, per scheme: whether it can take
   * requests at all (enabled, not drained, has a URL for the scheme, probed), whether it serves
   * only some countries, and the snapshots it serves healthily (OK or LAGGING) as a mask of {@link
   * FileKnowledge#bit} values. A mirror qualifies for a file when that mask meets the mask of the
   * snapshots that list the file: the same rule as {@link MirrorChecks}' {@code holderProblem},
   * without following a pointer per mirror. Rebuilt when the view or the file knowledge changes.
   */
  static final class Routing {
    private static final java.util.concurrent.atomic.AtomicLong IDS =
        new java.util.concurrent.atomic.AtomicLong();

    /** Unique to this table, for the groups remembered against it. */
    final long id = IDS.incrementAndGet();

    final FileKnowledge files;
    final boolean[][] open; // [scheme][mirror]
    final boolean[] restricted;
    final boolean[][] family; // [0 IPv4, 1 IPv6][mirror]: answers over that family
    final long[][] healthy; // [scheme][mirror]

    Routing(Fleet f, FileKnowledge files) {
      this.files = files;
      int n = f.mirrors.length;
      open = new boolean[2][n];
      healthy = new long[2][n];
      restricted = new boolean[n];
      family = new boolean[2][n];
      for (int i = 0; i < n; i++) {
        ClusterView.Mirror m = f.mirrors[i];
        MirrorConfig c = m.config();
        // Country-only and partial mirrors are checked against each client the long way.
        restricted[i] = !c.countryOnly().isEmpty() || !c.architectures().isEmpty();
        // Most mirrors have no IPv6: the family is one more array test, not the long way.
        family[0][i] = m.state() == null || m.state().serves(false);
        family[1][i] = m.state() == null || m.state().serves(true);
        for (int sc = 0; sc < 2; sc++) {
          String scheme = sc == 0 ? "http" : "https";
          open[sc][i] =
              c.enabled() && !c.drained() && c.baseUrls().get(scheme) != null && m.state() != null;
          if (m.state() == null) {
            continue;
          }
          for (SuiteState s : m.state().schemes().getOrDefault(scheme, Map.of()).values()) {
            if (s.snapshot() != null && MirrorChecks.serves(s.health())) {
              healthy[sc][i] |= files.bit(s.snapshot());
            }
          }
        }
      }
    }

    static int scheme(String scheme) {
      return "https".equals(scheme) ? 1 : "http".equals(scheme) ? 0 : -1;
    }
  }

  /**
   * The ranking for this client. A mirror whose networks hold the client's address is in tier 0,
   * like one in the client's ASN: the cached ranking of the location is re-sorted for this address
   * (rare: only clients inside a mirror's networks pay for it).
   */
  static Ranking ranking(Fleet f, ClientLocation client) {
    Ranking r = f.ranking(client);
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
    return new Ranking(
        java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray(), cls, tier, r.km());
  }

  static int tier(MirrorConfig m, ClientLocation c) {
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

  static Double distance(MirrorConfig m, ClientLocation c) {
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
}
