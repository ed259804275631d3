package org.mirrordirector.director;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Payloads.Health;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.SnapshotRecord;
import org.mirrordirector.failover.Payloads.SuiteSnapshot;
import org.mirrordirector.failover.Payloads.SuiteState;

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

  /** How a request is answered. */
  public enum Outcome {
    REDIRECT,
    FALLBACK_MIRROR,
    SERVE_LOCALLY,
    UNAVAILABLE
  }

  /**
   * One mirror considered.
   *
   * @param reason why it was excluded, or what qualified it
   * @param tier 0 same ASN, 1 same country, 2 same continent, 3 elsewhere
   * @param distanceKm great-circle distance to the client, or null when either is unknown
   */
  public record Candidate(
      String mirror,
      String base,
      boolean eligible,
      String reason,
      int tier,
      Double distanceKm,
      int weight) {}

  /** The choice and everything considered. {@code location} is set for the redirect outcomes. */
  public record Selection(
      RequestPath path,
      String scheme,
      Outcome outcome,
      String location,
      Candidate chosen,
      List<Candidate> candidates,
      String why) {}

  private final SelectionPolicy policy;
  private final java.util.concurrent.ConcurrentHashMap<String, String> lastResolved =
      new java.util.concurrent.ConcurrentHashMap<>();

  public MirrorSelector(SelectionPolicy policy) {
    this.policy = policy;
  }

  public Selection select(
      RequestPath path,
      String scheme,
      ClientLocation client,
      ClusterView view,
      FileKnowledge files,
      long nowMillis) {
    // Resolved once per request, not once per mirror.
    Optional<String> current =
        path.suite() == null ? Optional.empty() : current(view, path.suite());
    List<Candidate> all = new ArrayList<>(view.mirrors().size());
    for (ClusterView.Mirror m : view.mirrors().values()) {
      all.add(evaluate(m, path, scheme, client, current, files, nowMillis));
    }
    all.sort(Comparator.comparing(Candidate::mirror));
    List<Candidate> eligible = all.stream().filter(Candidate::eligible).toList();
    if (!eligible.isEmpty()) {
      Candidate c = choose(eligible, client);
      return new Selection(
          path,
          scheme,
          Outcome.REDIRECT,
          join(c.base(), path),
          c,
          all,
          c.mirror() + ": " + c.reason());
    }
    for (String base : policy.fallbackMirrors()) {
      if (base.startsWith(scheme + "://")) {
        return new Selection(
            path,
            scheme,
            Outcome.FALLBACK_MIRROR,
            join(base, path),
            null,
            all,
            "no mirror qualifies; redirecting to the fallback " + base);
      }
    }
    if (policy.serveLocally()) {
      return new Selection(
          path,
          scheme,
          Outcome.SERVE_LOCALLY,
          null,
          null,
          all,
          "no mirror qualifies; serving from this node's verified snapshot");
    }
    return new Selection(
        path, scheme, Outcome.UNAVAILABLE, null, null, all, "no mirror qualifies and no fallback");
  }

  /**
   * The mirrors that serve the current snapshot of every suite over {@code scheme}, best first for
   * this client: what an apt {@code mirror+http} list offers (apt takes everything, InRelease
   * included, from the first that answers).
   */
  public List<Candidate> ranked(
      String scheme, ClientLocation client, ClusterView view, FileKnowledge files, long nowMillis)
      throws RequestPath.Rejected {
    if (view.current() == null || view.snapshots().get(view.current().snapshot()) == null) {
      return List.of();
    }
    List<String> suites =
        new ArrayList<>(view.snapshots().get(view.current().snapshot()).suites().keySet());
    java.util.Collections.sort(suites);
    List<RequestPath> inReleases = new ArrayList<>();
    List<Optional<String>> currents = new ArrayList<>();
    for (String suite : suites) {
      inReleases.add(RequestPath.classify("/a/dists/" + suite + "/InRelease", List.of("/a/")));
      currents.add(current(view, suite));
    }
    List<Candidate> ok = new ArrayList<>();
    mirrors:
    for (ClusterView.Mirror m : view.mirrors().values()) {
      Candidate c = null;
      for (int i = 0; i < suites.size(); i++) {
        c = evaluate(m, inReleases.get(i), scheme, client, currents.get(i), files, nowMillis);
        if (!c.eligible()) {
          continue mirrors;
        }
      }
      if (c != null) {
        ok.add(c);
      }
    }
    List<Candidate> out = new ArrayList<>();
    while (!ok.isEmpty()) {
      Candidate next = choose(ok, client);
      out.add(next);
      ok.remove(next);
    }
    return out;
  }

  private Candidate evaluate(
      ClusterView.Mirror m,
      RequestPath path,
      String scheme,
      ClientLocation client,
      Optional<String> current,
      FileKnowledge files,
      long now) {
    MirrorConfig cfg = m.config();
    String base = cfg.baseUrls().get(scheme);
    int tier = tier(cfg, client);
    Double km = distance(cfg, client);
    java.util.function.Function<String, Candidate> no =
        why -> new Candidate(cfg.id(), base, false, why, tier, km, cfg.weight());
    if (!cfg.enabled()) {
      return no.apply("disabled");
    }
    if (cfg.drained()) {
      return no.apply("drained");
    }
    if (base == null) {
      return no.apply("has no " + scheme + " URL");
    }
    if (!cfg.countryOnly().isEmpty()
        && (client.country() == null || !cfg.countryOnly().contains(client.country()))) {
      return no.apply("serves only clients in " + cfg.countryOnly());
    }
    if (m.state() == null) {
      return no.apply("not probed yet");
    }
    Map<String, SuiteState> suites = m.state().schemes().getOrDefault(scheme, Map.of());
    String ok =
        switch (path.kind()) {
          case RELEASE, INDEX -> releaseProblem(path.suite(), suites, current, files, now);
          case POOL -> holderProblem(suites, s -> files.hasPoolFile(s, path.path()), "file");
          case BY_HASH -> holderProblem(suites, s -> files.hasHash(s, path.byHash()), "hash");
          case OTHER -> anyHealthy(suites);
        };
    if (ok.startsWith("!")) {
      return no.apply(ok.substring(1));
    }
    return new Candidate(cfg.id(), base, true, ok, tier, km, cfg.weight());
  }

  /** "!why" when the mirror may not serve this suite's indexes, else what qualifies it. */
  private String releaseProblem(
      String suite,
      Map<String, SuiteState> suites,
      Optional<String> current,
      FileKnowledge files,
      long now) {
    SuiteState s = suites.get(suite);
    if (s == null) {
      return "!not probed for " + suite;
    }
    if (current.isEmpty()) {
      return "!no current snapshot of " + suite + " is recorded";
    }
    if (s.health() == Health.DOWN || s.health() == Health.BROKEN || s.health() == Health.SYNCING) {
      return "!" + s.health().name().toLowerCase(java.util.Locale.ROOT) + ": " + s.reason();
    }
    if (current.get().equals(s.snapshot())) {
      return "serves the current snapshot of " + suite;
    }
    if (s.snapshot() == null) {
      return "!serves no InRelease of " + suite;
    }
    Optional<FileKnowledge.Snapshot> theirs = files.snapshot(s.snapshot());
    if (theirs.isEmpty()) {
      return "!serves an unknown InRelease of "
          + suite
          + " ("
          + s.snapshot().substring(0, 12)
          + ")";
    }
    if (theirs.get().validUntil().map(v -> v.toEpochMilli() <= now).orElse(false)) {
      return "!serves an expired InRelease of " + suite;
    }
    long lag = s.lagMillis() == null ? Long.MAX_VALUE : s.lagMillis();
    if (!policy.lagWindow().isZero() && lag <= policy.lagWindow().toMillis()) {
      return "serves an older kept snapshot of "
          + suite
          + ", "
          + lag / 1000
          + " s behind (within the lag window)";
    }
    return "!serves an older snapshot of "
        + suite
        + " ("
        + s.snapshot().substring(0, 12)
        + "), not the current one";
  }

  private static String holderProblem(
      Map<String, SuiteState> suites, java.util.function.Predicate<String> lists, String what) {
    String unhealthy = null;
    for (Map.Entry<String, SuiteState> e : suites.entrySet()) {
      SuiteState s = e.getValue();
      if (s.snapshot() == null || !lists.test(s.snapshot())) {
        continue;
      }
      if (s.health() == Health.OK || s.health() == Health.LAGGING) {
        return "its snapshot of " + e.getKey() + " lists the " + what;
      }
      unhealthy = "!" + s.health().name().toLowerCase(java.util.Locale.ROOT) + ": " + s.reason();
    }
    return unhealthy != null ? unhealthy : "!no snapshot it serves lists the " + what;
  }

  private static String anyHealthy(Map<String, SuiteState> suites) {
    for (SuiteState s : suites.values()) {
      if (s.health() == Health.OK || s.health() == Health.LAGGING) {
        return "healthy";
      }
    }
    return "!no suite is healthy";
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
      lastResolved.put(suite, now.get());
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

  /**
   * The best group by tier and 1,000 km distance step; within it, by weight, picked by a hash of
   * the client's address so that one client keeps its mirror while nothing changes.
   */
  private static Candidate choose(List<Candidate> eligible, ClientLocation client) {
    Comparator<Candidate> rank =
        Comparator.comparingInt(Candidate::tier)
            .thenComparingLong(
                c -> c.distanceKm() == null ? Long.MAX_VALUE : (long) (c.distanceKm() / 1000));
    Candidate best = eligible.stream().min(rank).orElseThrow();
    List<Candidate> group = eligible.stream().filter(c -> rank.compare(c, best) == 0).toList();
    long total = group.stream().mapToLong(Candidate::weight).sum();
    long h =
        client.address() == null
            ? 0
            : Integer.toUnsignedLong(client.address().hashCode() * 0x9E3779B1);
    if (total == 0) {
      return group.get((int) (h % group.size()));
    }
    long pick = h % total;
    for (Candidate c : group) {
      pick -= c.weight();
      if (pick < 0) {
        return c;
      }
    }
    return group.get(group.size() - 1);
  }

  private static String join(String base, RequestPath path) {
    return (base.endsWith("/") ? base : base + "/") + path.encoded();
  }
}
