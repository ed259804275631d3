package org.mirrordirector.director;

import java.util.Map;
import java.util.Optional;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.Unreachable;

/**
 * The rules one mirror is checked against for one request, with the reason in words when it is
 * asked for ({@code ?explain}, the status page) and none built when it is not (a redirect). {@link
 * MirrorSelector} walks the mirrors and applies them; the arrays of {@link RoutingMasks} decide
 * pool and by-hash requests the same way, without following a pointer per mirror.
 */
final class MirrorChecks {
  /** What a check returns when the reason is not asked for: no text is built. */
  static final String NO = "!";

  static final String YES = "qualifies";

  private final SelectionPolicy policy;

  MirrorChecks(SelectionPolicy policy) {
    this.policy = policy;
  }

  MirrorCandidate evaluate(MirrorView m, RequestAsk a, int tier, Double km, boolean why) {
    RequestPath path = a.path();
    String scheme = a.scheme();
    ClientLocation client = a.client();
    MirrorConfig cfg = m.config();
    String base = cfg.baseUrls().get(scheme);
    java.util.function.Function<String, MirrorCandidate> no =
        reason -> new MirrorCandidate(cfg.id(), base, false, reason, tier, km, cfg.weight());
    if (!cfg.enabled()) {
      return no.apply("disabled");
    }
    if (cfg.drained()) {
      return no.apply("drained");
    }
    if (base == null) {
      return no.apply(why ? "has no " + scheme + " URL" : null);
    }
    if (m.unreachable() != null) {
      return no.apply(why ? unreachable(m.unreachable(), a.now()) : null);
    }
    if (!cfg.countryOnly().isEmpty()
        && (client.country() == null || !cfg.countryOnly().contains(client.country()))) {
      return no.apply(why ? "serves only clients in " + cfg.countryOnly() : null);
    }
    if (!cfg.architectures().isEmpty() && !cfg.carries(path.architecture())) {
      return no.apply(
          why
              ? "a partial mirror: carries "
                  + String.join(", ", cfg.architectures())
                  + ", not "
                  + path.architecture()
              : null);
    }
    if (m.state() == null) {
      return no.apply("not probed yet");
    }
    Map<String, SuiteState> suites = m.state().schemes().getOrDefault(scheme, Map.of());
    String ok =
        switch (path.kind()) {
          case RELEASE, INDEX ->
              releaseProblem(
                  path.suite(), suites, a.current(), a.currentLearned(), a.files(), a.now(), why);
          case POOL -> holderProblem(suites, a, "file", why);
          case BY_HASH -> holderProblem(suites, a, "hash", why);
          case OTHER -> anyHealthy(suites);
        };
    if (ok.startsWith("!")) {
      return no.apply(why ? ok.substring(1) : null);
    }
    if (!m.state().serves(client.ipv6())) {
      return no.apply(why ? familyProblem(m.state(), client.ipv6()) : null);
    }
    if (why) {
      ok = ok + familyUnchecked(m.state(), client.ipv6());
    }
    return new MirrorCandidate(cfg.id(), base, true, ok, tier, km, cfg.weight());
  }

  /**
   * "not answering for 3 s (the quick check: connection refused at 192.0.2.7:80)": out of routing
   * at once, before the probes have confirmed it DOWN.
   */
  static String unreachable(Unreachable u, long now) {
    long s = Math.max(0, now - u.sinceMillis()) / 1000;
    return "not answering for " + s + " s (the quick check: " + u.reason() + ")";
  }

  /** Why a client of this family is not sent to the mirror, in words. */
  static String familyProblem(MirrorState s, boolean ipv6) {
    String name = ipv6 ? "IPv6" : "IPv4";
    return "the client came over "
        + name
        + ", and the mirror has no working "
        + name
        + " address: "
        + s.families().get(ipv6 ? "ipv6" : "ipv4").detail();
  }

  /**
   * "; its IPv4 is not checkable from here: ..." when the prober could not check the client's
   * family from where it stands (an IPv6-only node without NAT64), else empty: sent there all the
   * same.
   */
  static String familyUnchecked(MirrorState s, boolean ipv6) {
    FamilyState f = s.families().get(ipv6 ? "ipv6" : "ipv4");
    return f != null && f.notCheckable()
        ? "; its " + (ipv6 ? "IPv6" : "IPv4") + " is not checkable from here: " + f.detail()
        : "";
  }

  /** "!why" when the mirror may not serve this suite's indexes, else what qualifies it. */
  private String releaseProblem(
      String suite,
      Map<String, SuiteState> suites,
      Optional<String> current,
      boolean currentLearned,
      FileKnowledge files,
      long now,
      boolean why) {
    SuiteState s = suites.get(suite);
    if (s == null) {
      return why ? "!not probed for " + suite : NO;
    }
    if (current.isEmpty()) {
      return why ? "!no current snapshot of " + suite + " is recorded" : NO;
    }
    if (s.health() == Health.DOWN || s.health() == Health.BROKEN || s.health() == Health.SYNCING) {
      return why ? "!" + unhealthy(s) : NO;
    }
    if (current.get().equals(s.snapshot())) {
      if (!currentLearned) {
        // A replica whose view moved on before its index copy: the clients of that InRelease ask
        // for files this director cannot place yet, so the InRelease waits too (the fallback).
        return why
            ? "!serves the current snapshot of "
                + suite
                + ", whose files this director has not learned yet"
            : NO;
      }
      return why ? "serves the current snapshot of " + suite : YES;
    }
    if (s.snapshot() == null) {
      return why ? "!serves no InRelease of " + suite : NO;
    }
    Optional<SnapshotFiles> theirs = files.snapshot(s.snapshot());
    if (theirs.isEmpty()) {
      return why
          ? "!serves an unknown InRelease of " + suite + " (" + s.snapshot().substring(0, 12) + ")"
          : NO;
    }
    if (theirs.get().validUntil().map(v -> v.toEpochMilli() <= now).orElse(false)) {
      return why ? "!serves an expired InRelease of " + suite : NO;
    }
    if (s.health() == Health.AHEAD) {
      Optional<SnapshotFiles> newest = files.newest(suite);
      if (newest.isPresent() && !newest.get().inRelease().equals(s.snapshot())) {
        // Superseded already: its clients would ask for files the mirrors are deleting, and this
        // node keeps no copy of a snapshot it never had.
        return why
            ? "!serves a snapshot of "
                + suite
                + " newer than the director's own but older than the newest known ("
                + newest.get().inRelease().substring(0, 12)
                + ")"
            : NO;
      }
      // Clients who get it ask for its files next: the director knows them (learned and checked
      // against the signed InRelease), so it sends them where they are.
      return why
          ? "serves a verified snapshot of "
              + suite
              + " newer than the director's own ("
              + s.snapshot().substring(0, 12)
              + ")"
          : YES;
    }
    long lag = s.lagMillis() == null ? Long.MAX_VALUE : s.lagMillis();
    if (!policy.lagWindow().isZero() && lag <= policy.lagWindow().toMillis()) {
      return why
          ? "serves an older kept snapshot of "
              + suite
              + ", "
              + lag / 1000
              + " s behind (within the lag window)"
          : YES;
    }
    return why
        ? "!serves an older snapshot of "
            + suite
            + " ("
            + s.snapshot().substring(0, 12)
            + "), not the current one"
        : NO;
  }

  /** The healths whose mirrors hold every file of the snapshot they serve. */
  static boolean serves(Health h) {
    return h == Health.OK || h == Health.LAGGING || h == Health.AHEAD;
  }

  private static String unhealthy(SuiteState s) {
    return s.health().name().toLowerCase(java.util.Locale.ROOT) + ": " + s.reason();
  }

  private static String holderProblem(
      Map<String, SuiteState> suites, RequestAsk a, String what, boolean why) {
    String unhealthy = null;
    for (Map.Entry<String, SuiteState> e : suites.entrySet()) {
      SuiteState s = e.getValue();
      if (s.snapshot() == null || (a.files().bit(s.snapshot()) & a.holders()) == 0) {
        continue;
      }
      if (serves(s.health())) {
        return why ? "its snapshot of " + e.getKey() + " lists the " + what : YES;
      }
      unhealthy = why ? "!" + unhealthy(s) : NO;
    }
    return unhealthy != null ? unhealthy : why ? "!no snapshot it serves lists the " + what : NO;
  }

  private static String anyHealthy(Map<String, SuiteState> suites) {
    for (SuiteState s : suites.values()) {
      if (serves(s.health())) {
        return "healthy";
      }
    }
    return "!no suite is healthy";
  }
}
