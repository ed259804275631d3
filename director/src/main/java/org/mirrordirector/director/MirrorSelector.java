package org.mirrordirector.director;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;

/**
 * Chooses the mirror for one request, and says why every other one was not chosen. The same code
 * produces the redirect, the {@code ?explain} output and the status page's numbers.
 *
 * <p>Filters, in order: enabled, not drained, a base URL for the request's scheme (an https request
 * never goes to http), country restrictions, probed, then content. InRelease, Release and other
 * index files go only to mirrors serving the current snapshot of that suite (or a kept one inside
 * the lag window, never mid-sync, never expired); {@code pool/} only to mirrors whose snapshot
 * lists the file; {@code by-hash/} only to mirrors whose snapshot lists that hash. Ranking: same
 * ASN, then country, then continent, then distance in 1,000 km steps; among equals, by weight, the
 * same mirror for the same client address.
 */
public final class MirrorSelector {

  private final SelectionPolicy policy;
  private final MirrorChecks checks;
  private final java.util.concurrent.ConcurrentHashMap<String, String> lastResolved =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile RankedFleet fleet = RankedFleet.of(Map.of(), null);

  public MirrorSelector(SelectionPolicy policy) {
    this.policy = policy;
    this.checks = new MirrorChecks(policy);
  }

  public SelectionPolicy policy() {
    return policy;
  }

  private RankedFleet fleet(ClusterView view) {
    RankedFleet f = fleet;
    if (f.source != view.mirrors()) {
      f = RankedFleet.of(view.mirrors(), f);
      fleet = f;
    }
    return f;
  }

  /** The choice, with every mirror and why it was or was not a candidate (for explain). */
  public MirrorSelection select(
      RequestPath path,
      String scheme,
      ClientLocation client,
      ClusterView view,
      FileKnowledge files,
      long nowMillis) {
    return select(path, scheme, client, view, files, nowMillis, true);
  }

  /**
   * The choice. Mirrors are looked at best-ranked first for this client, and only until the best
   * class with a qualifying mirror is complete, so a request costs a few checks, not one per
   * mirror. With {@code everyCandidate}, every other mirror is looked at too and listed with its
   * reason; the choice is the same.
   */
  public MirrorSelection select(
      RequestPath path,
      String scheme,
      ClientLocation client,
      ClusterView view,
      FileKnowledge files,
      long nowMillis,
      boolean everyCandidate) {
    // Resolved once per request, not once per mirror: the current InRelease of the suite, and
    // the snapshots that list the requested file or hash (one lookup of the path).
    Optional<String> current =
        path.suite() == null ? Optional.empty() : current(view, path.suite());
    RequestAsk ask =
        new RequestAsk(
            path,
            scheme,
            client,
            current,
            files,
            nowMillis,
            path.kind() == PathKind.POOL
                ? files.poolMask(path.path())
                : path.kind() == PathKind.BY_HASH ? files.hashMask(path.byHash()) : 0,
            current.isEmpty() || files.snapshot(current.get()).isPresent());
    RankedFleet f = fleet(view);
    LocationRanking r = f.forClient(client);
    if (path.kind() == PathKind.POOL
        && policy.serveLocally()
        && files.removedByNewest(ask.holders())
        && (ask.holders() & files.localMask()) != 0) {
      // A newer snapshot removed it: a mirror that moved on since its last probe no longer has it,
      // and this node keeps the snapshot that does.
      List<MirrorCandidate> all = List.of();
      if (everyCandidate) {
        all = new ArrayList<>(f.mirrors.length);
        for (int i = 0; i < f.mirrors.length; i++) {
          all.add(checks.evaluate(f.mirrors[i], ask, r.tier()[i], r.km()[i], true));
        }
      }
      return new MirrorSelection(
          path,
          scheme,
          SelectionOutcome.SERVE_LOCALLY,
          null,
          null,
          all,
          "the newest snapshot no longer lists it, so mirrors that synced since their last probe"
              + " lack it; serving from this node's kept snapshot");
    }
    int sc = RoutingMasks.scheme(scheme);
    RoutingMasks rt =
        sc >= 0 && (path.kind() == PathKind.POOL || path.kind() == PathKind.BY_HASH)
            ? f.routing(files)
            : null;
    int fam = client.ipv6() ? 1 : 0;
    // A pool or by-hash request finds the walk's result of an earlier one with the same inputs;
    // only the pick is left then.
    MirrorGroup best = rt == null ? null : r.group(rt, ask.holders(), sc, fam);
    if (best == null) {
      best = walk(f, r, rt, sc, fam, ask);
    }
    MirrorCandidate chosen =
        best.members().length == 0 ? null : best.members()[pick(best.weights(), client)];
    List<MirrorCandidate> all = List.of();
    if (everyCandidate) {
      all = new ArrayList<>(f.mirrors.length);
      for (int i = 0; i < f.mirrors.length; i++) {
        all.add(checks.evaluate(f.mirrors[i], ask, r.tier()[i], r.km()[i], true));
      }
    }
    if (chosen != null) {
      MirrorCandidate c = chosen;
      if (everyCandidate) {
        // The chosen mirror with its reason in words, as the explain list has it.
        String id = chosen.mirror();
        c = all.stream().filter(x -> x.mirror().equals(id)).findFirst().orElseThrow();
      }
      return new MirrorSelection(
          path,
          scheme,
          SelectionOutcome.REDIRECT,
          join(c.base(), path),
          c,
          all,
          c.mirror() + ": " + c.reason());
    }
    for (String base : policy.fallbackMirrors()) {
      if (base.startsWith(scheme + "://")) {
        return new MirrorSelection(
            path,
            scheme,
            SelectionOutcome.FALLBACK_MIRROR,
            join(base, path),
            null,
            all,
            "no mirror qualifies; redirecting to the fallback " + base);
      }
    }
    if (policy.serveLocally()) {
      boolean held =
          !policy.holdFor().isZero()
              && (path.kind() == PathKind.POOL || path.kind() == PathKind.BY_HASH)
              && (ask.holders() & files.localMask()) == 0;
      return new MirrorSelection(
          path,
          scheme,
          SelectionOutcome.SERVE_LOCALLY,
          null,
          null,
          all,
          held
              ? (ask.holders() == 0
                      ? "no snapshot this director knows lists it (a client ahead of the director?)"
                      : "no mirror qualifies and no snapshot this node keeps lists it")
                  + "; held up to "
                  + policy.holdFor().toSeconds()
                  + " s while the node looks for it, then redirected as soon as a mirror"
                  + " qualifies"
              : "no mirror qualifies; serving from this node's verified snapshot");
    }
    return new MirrorSelection(
        path,
        scheme,
        SelectionOutcome.UNAVAILABLE,
        null,
        null,
        all,
        "no mirror qualifies and no fallback");
  }

  /**
   * The best class of qualifying mirrors for this request, best-ranked first, looking at mirrors
   * only until that class is complete. Remembered in the ranking when every mirror looked at was
   * decided by the routing table's arrays (the restricted ones are checked against the path
   * itself).
   */
  private MirrorGroup walk(
      RankedFleet f, LocationRanking r, RoutingMasks rt, int sc, int fam, RequestAsk ask) {
    List<MirrorCandidate> group = new ArrayList<>(8);
    boolean plain = rt != null;
    int cls = Integer.MIN_VALUE;
    for (int i : r.order()) {
      if (cls != Integer.MIN_VALUE && r.cls()[i] != cls) {
        break;
      }
      MirrorCandidate c;
      if (rt != null && !rt.restricted[i]) {
        // The common case in arrays; a mirror that serves only some countries takes the long way.
        c =
            rt.open[sc][i] && rt.family[fam][i] && (rt.healthy[sc][i] & ask.holders()) != 0
                ? qualified(f, i, sc, r)
                : null;
      } else {
        plain = false;
        c = checks.evaluate(f.mirrors[i], ask, r.tier()[i], r.km()[i], false);
      }
      if (c != null && c.eligible()) {
        cls = r.cls()[i];
        group.add(c);
      }
    }
    MirrorGroup g =
        new MirrorGroup(
            rt == null ? 0 : rt.id,
            ask.holders(),
            sc,
            fam,
            group.toArray(new MirrorCandidate[0]),
            weights(group));
    if (plain) {
      r.remember(g);
    }
    return g;
  }

  /**
   * The mirrors that serve the current snapshot of every suite over {@code scheme}, best first for
   * this client: what an apt {@code mirror+http} list offers (apt takes everything, InRelease
   * included, from the first that answers).
   */
  public List<MirrorCandidate> ranked(
      String scheme, ClientLocation client, ClusterView view, FileKnowledge files, long nowMillis)
      throws RejectedPath {
    if (view.current() == null || view.snapshots().get(view.current().snapshot()) == null) {
      return List.of();
    }
    List<String> suites =
        new ArrayList<>(view.snapshots().get(view.current().snapshot()).suites().keySet());
    java.util.Collections.sort(suites);
    List<RequestAsk> asks = new ArrayList<>();
    for (String suite : suites) {
      Optional<String> current = current(view, suite);
      asks.add(
          new RequestAsk(
              RequestPath.classify("/a/dists/" + suite + "/InRelease", List.of("/a/")),
              scheme,
              client,
              current,
              files,
              nowMillis,
              0,
              current.isEmpty() || files.snapshot(current.get()).isPresent()));
    }
    RankedFleet f = fleet(view);
    LocationRanking r = f.forClient(client);
    List<MirrorCandidate> ok = new ArrayList<>();
    mirrors:
    for (int m : r.order()) {
      MirrorCandidate c = null;
      for (RequestAsk ask : asks) {
        c = checks.evaluate(f.mirrors[m], ask, r.tier()[m], r.km()[m], true);
        if (!c.eligible()) {
          continue mirrors;
        }
      }
      if (c != null) {
        ok.add(c);
      }
    }
    ok.sort(Comparator.comparing(MirrorCandidate::mirror));
    List<MirrorCandidate> out = new ArrayList<>();
    while (!ok.isEmpty()) {
      MirrorCandidate next = choose(best(ok), client);
      out.add(next);
      ok.remove(next);
    }
    return out;
  }

  /**
   * Mirror {@code i} of the fleet, qualified over scheme {@code sc} ({@link RoutingMasks#scheme});
   * its reason is not put into words (the chosen one's is, for explain).
   */
  private static MirrorCandidate qualified(RankedFleet f, int i, int sc, LocationRanking r) {
    return new MirrorCandidate(
        f.ids[i], f.bases[sc][i], true, MirrorChecks.YES, r.tier()[i], r.km()[i], f.weights[i]);
  }

  /**
   * The current InRelease of a suite. The registry cache may show a new {@code archive/current}
   * before the snapshot record it names (they are written together but read in no promised order);
   * until the new one resolves, the last one that did stays current, rather than no mirror
   * qualifying at all.
   */
  private Optional<String> current(ClusterView view, String suite) {
    Optional<String> now = currentInRelease(view, suite);
    if (now.isPresent()) {
      if (!now.get().equals(lastResolved.get(suite))) {
        lastResolved.put(suite, now.get());
      }
      return now;
    }
    return view.current() == null ? Optional.empty() : Optional.ofNullable(lastResolved.get(suite));
  }

  static Optional<String> currentInRelease(ClusterView view, String suite) {
    if (view.current() == null) {
      return Optional.empty();
    }
    SnapshotRecord r = view.snapshots().get(view.current().snapshot());
    if (r == null) {
      return Optional.empty();
    }
    SuiteSnapshot s = r.suites().get(suite);
    return s == null ? Optional.empty() : Optional.of(s.inReleaseSha256());
  }

  /** The candidates of the best tier and 1,000 km distance step, in the order given. */
  private static List<MirrorCandidate> best(List<MirrorCandidate> eligible) {
    Comparator<MirrorCandidate> rank =
        Comparator.comparingInt(MirrorCandidate::tier)
            .thenComparingLong(
                c -> c.distanceKm() == null ? Long.MAX_VALUE : (long) (c.distanceKm() / 1000));
    MirrorCandidate top = eligible.stream().min(rank).orElseThrow();
    return eligible.stream().filter(c -> rank.compare(c, top) == 0).toList();
  }

  /**
   * One of a group of equals, by weight, picked by a hash of the client's address so that one
   * client keeps its mirror while nothing changes.
   */
  private static MirrorCandidate choose(List<MirrorCandidate> group, ClientLocation client) {
    return group.get(pick(weights(group), client));
  }

  private static int[] weights(List<MirrorCandidate> group) {
    int[] w = new int[group.size()];
    for (int k = 0; k < w.length; k++) {
      w[k] = group.get(k).weight();
    }
    return w;
  }

  /** The index of the one picked among equals of these weights (see {@link #choose}). */
  private static int pick(int[] weights, ClientLocation client) {
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    long h =
        client.address() == null
            ? 0
            : Integer.toUnsignedLong(client.address().hashCode() * 0x9E3779B1);
    if (total == 0) {
      return (int) (h % weights.length);
    }
    long pick = h % total;
    for (int k = 0; k < weights.length; k++) {
      pick -= weights[k];
      if (pick < 0) {
        return k;
      }
    }
    return weights.length - 1;
  }

  private static String join(String base, RequestPath path) {
    return (base.endsWith("/") ? base : base + "/") + path.encoded();
  }
}
