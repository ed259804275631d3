package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.archive.ArchiveFormatException;
import org.mirrordirector.sync.archive.ClearSignedMessage;
import org.mirrordirector.sync.archive.ReleaseFile;
import org.mirrordirector.sync.archive.ReleaseParser;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SignatureException;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.net.HttpAnswer;

/**
 * Probes public mirrors: per mirror, scheme and suite, a conditional GET of InRelease (its SHA-256
 * names the mirror's snapshot), the mirror's trace file and lock file, HEAD of a few indexes (does
 * the InRelease match them?) and of a sample of pool files new in the mirror's snapshot, and the
 * latency. Mirrors are probed concurrently, at most {@code parallelism} at once; every request has
 * the configured timeout, and a mirror that does not answer its first request is not asked the
 * rest.
 *
 * <p>Health, before hysteresis ({@link HealthTracker}):
 *
 * <ul>
 *   <li>OK: the current snapshot, consistent, with the sampled files;
 *   <li>LAGGING: an older snapshot, or an older validly signed InRelease we no longer keep;
 *   <li>SYNCING: its Archive-Update-in-Progress lock is present, its InRelease does not match its
 *       indexes, or it serves a signed InRelease newer than the current snapshot;
 *   <li>BROKEN: an InRelease that does not verify, a missing InRelease, missing or wrong-sized pool
 *       files, other 4xx;
 *   <li>DOWN: refused, reset, timed out, 5xx.
 * </ul>
 */
public final class MirrorProber implements AutoCloseable {
  private final ProbeConfig config;
  private final TrustedKeys keys;
  private final Clock clock;
  private final ProbeRequests net;
  private final FamilyCheck familyCheck;
  private final ExecutorService workers;
  // The family checks on their own, wider: a check of a black-holed family waits out the whole
  // timeout doing nothing, and 32 at a time made 200 such mirrors cost 21 s a round (BENCHMARKS).
  private final ExecutorService familyWorkers;
  private final Random random;
  private final SnapshotLearner learner;
  private final java.util.function.Consumer<String> onNewer;
  private final ContentChecks content;

  public MirrorProber(ProbeConfig config, TrustedKeys keys, Clock clock, SSLContext tls) {
    this(config, keys, clock, tls, null, suite -> {});
  }

  /**
   * @param learner learns the snapshots of mirrors that are ahead of this node, so that they can be
   *     checked (and used) rather than called SYNCING; null to call them SYNCING
   * @param onNewer hears the suite of every validly signed InRelease newer than this node's
   *     snapshot, and of every mirror whose sync lock is present: the upstream has moved (or
   *     probably has), so the node's own sync can start at once and learn the new indexes
   */
  public MirrorProber(
      ProbeConfig config,
      TrustedKeys keys,
      Clock clock,
      SSLContext tls,
      SnapshotLearner learner,
      java.util.function.Consumer<String> onNewer) {
    this(config, keys, clock, tls, learner, onNewer, new HappyEyeballs());
  }

  /**
   * @param eyeballs how every connection tries a mirror's addresses (the node's NAT64 prefix, its
   *     stagger)
   */
  public MirrorProber(
      ProbeConfig config,
      TrustedKeys keys,
      Clock clock,
      SSLContext tls,
      SnapshotLearner learner,
      java.util.function.Consumer<String> onNewer,
      HappyEyeballs eyeballs) {
    this.learner = learner;
    this.onNewer = onNewer;
    this.config = config;
    this.keys = keys;
    this.clock = clock;
    this.net = new ProbeRequests(config, tls, eyeballs);
    this.familyCheck = new FamilyCheck(config.timeout(), tls, eyeballs);
    this.workers =
        Executors.newFixedThreadPool(
            config.parallelism(),
            r -> {
              Thread t = new Thread(r, "mirror-probe");
              t.setDaemon(true);
              return t;
            });
    this.familyWorkers =
        Executors.newFixedThreadPool(
            Math.min(256, 8 * config.parallelism()),
            r -> {
              Thread t = new Thread(r, "mirror-family-check");
              t.setDaemon(true);
              return t;
            });
    this.random = new Random();
    this.content =
        new ContentChecks(
            config, net, new PoolSample(config.sampleSize(), random), learner, onNewer);
  }

  public ProbeConfig config() {
    return config;
  }

  /** Probes every mirror once; mirror id to scheme to suite to what was found. */
  public Map<String, Map<String, Map<String, Observation>>> probeAll(
      Collection<MirrorConfig> mirrors, KnownSnapshots known) throws InterruptedException {
    Map<String, Future<Map<String, Map<String, Observation>>>> tasks = new LinkedHashMap<>();
    for (MirrorConfig m : mirrors) {
      tasks.put(m.id(), workers.submit(() -> probe(m, known)));
    }
    Map<String, Map<String, Map<String, Observation>>> out = new TreeMap<>();
    for (Map.Entry<String, Future<Map<String, Map<String, Observation>>>> e : tasks.entrySet()) {
      try {
        out.put(e.getKey(), e.getValue().get());
      } catch (ExecutionException ex) {
        Map<String, Map<String, Observation>> failed = new TreeMap<>();
        for (String scheme :
            mirrors.stream()
                .filter(m -> m.id().equals(e.getKey()))
                .findFirst()
                .orElseThrow()
                .baseUrls()
                .keySet()) {
          Map<String, Observation> bySuite = new TreeMap<>();
          for (String suite : config.suites()) {
            bySuite.put(suite, Observation.down("probe failed: " + ex.getCause(), null));
          }
          failed.put(scheme, bySuite);
        }
        out.put(e.getKey(), failed);
      }
    }
    return out;
  }

  /**
   * Per mirror, whether it answers over IPv4 and over IPv6 (each tried on its own, see {@link
   * FamilyCheck}), checked in parallel, eight times as many at once as the probes (a pending
   * connection costs nothing but its wait); a mirror whose check failed is left out (unknown).
   */
  public Map<String, Map<String, FamilyState>> families(Collection<MirrorConfig> mirrors)
      throws InterruptedException {
    Map<String, Future<Map<String, FamilyState>>> tasks = new LinkedHashMap<>();
    for (MirrorConfig m : mirrors) {
      tasks.put(m.id(), familyWorkers.submit(() -> familyCheck.check(m, config.suites().get(0))));
    }
    Map<String, Map<String, FamilyState>> out = new TreeMap<>();
    for (var e : tasks.entrySet()) {
      try {
        out.put(e.getKey(), e.getValue().get());
      } catch (ExecutionException ex) {
        // unknown: the mirror is routed as before
      }
    }
    return out;
  }

  /** Probes one mirror over each of its schemes. */
  public Map<String, Map<String, Observation>> probe(MirrorConfig m, KnownSnapshots known) {
    Map<String, Map<String, Observation>> out = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(m.baseUrls()).entrySet()) {
      String base = e.getValue().endsWith("/") ? e.getValue() : e.getValue() + "/";
      out.put(e.getKey(), probeBase(URI.create(base), known));
    }
    return out;
  }

  private Map<String, Observation> probeBase(URI base, KnownSnapshots known) {
    Map<String, Observation> out = new TreeMap<>();
    Long trace = null;
    Boolean locked = null;
    for (String suite : config.suites()) {
      Observation o = probeSuite(base, suite, known);
      if (o.health() == Health.DOWN && !o.answered()) {
        // It does not answer: do not wait out the timeout again for each remaining request.
        for (String rest : config.suites()) {
          out.putIfAbsent(rest, o);
        }
        return out;
      }
      if (locked == null) {
        trace = net.traceDate(base).map(Instant::toEpochMilli).orElse(null);
        locked = net.lockPresent(base);
        if (locked) {
          onNewer.accept(suite); // a mirror syncs: the upstream has probably published
        }
      }
      if (locked
          && (o.health() == Health.OK
              || o.health() == Health.LAGGING
              || o.health() == Health.AHEAD)) {
        o =
            new Observation(
                Health.SYNCING,
                o.snapshot(),
                o.latencyMs(),
                "its lock file "
                    + ProbeRequests.lockName(base)
                    + " is present (an update is running)",
                null,
                trace,
                true);
      }
      out.put(
          suite,
          new Observation(
              o.health(),
              o.snapshot(),
              o.latencyMs(),
              o.reason(),
              o.lagMillis(),
              trace,
              o.answered()));
    }
    return out;
  }

  private Observation probeSuite(URI base, String suite, KnownSnapshots known) {
    URI url = base.resolve("dists/" + suite + "/InRelease");
    String key = url.toString();
    CachedInRelease before = net.conditional.get(key);
    long t0 = System.nanoTime();
    String sha;
    InReleaseVerdict verdict = null;
    long latency;
    try (HttpAnswer r = net.send("GET", url, ProbeRequests.conditionalHeaders(before))) {
      InputStream body = r.body();
      int status = r.status();
      if (status == 304 && before != null) {
        if (before.verdict() == null && known.indexOf(suite, before.sha256()) < 0) {
          // Read when it was a kept snapshot, which has been pruned since: it needs judging
          // now, from the whole file.
          net.conditional.remove(key);
          return probeSuite(base, suite, known);
        }
        latency = millisSince(t0);
        sha = before.sha256();
        verdict = before.verdict();
      } else if (status == 200) {
        byte[] data = body.readNBytes(config.maxInReleaseBytes() + 1);
        latency = millisSince(t0);
        if (data.length > config.maxInReleaseBytes()) {
          return ContentChecks.broken(
              null, latency, "InRelease is larger than " + config.maxInReleaseBytes() + " bytes");
        }
        sha = Sha256.hex(data);
        if (known.indexOf(suite, sha) < 0) {
          verdict = judge(data, key);
        }
        net.conditional.put(
            key,
            new CachedInRelease(
                r.header("ETag").orElse(null),
                r.header("Last-Modified").orElse(null),
                sha,
                verdict));
      } else if (status >= 500) {
        return Observation.down("HTTP " + status + " for " + url.getPath(), millisSince(t0));
      } else {
        net.conditional.remove(key);
        return ContentChecks.broken(
            null, millisSince(t0), "HTTP " + status + " for " + url.getPath());
      }
    } catch (IOException e) {
      return Observation.down(ProbeRequests.unreachable(e), null);
    }

    int at = known.indexOf(suite, sha);
    Instant now = clock.instant();
    if (at < 0) {
      if (verdict.problem() != null) {
        return ContentChecks.broken(sha, latency, verdict.problem());
      }
      Optional<KnownSnapshot> cur = known.current();
      Instant curDate = cur.map(c -> c.dates().get(suite)).orElse(null);
      if (curDate == null || verdict.date().isAfter(curDate)) {
        return content.ahead(base, suite, sha, latency, verdict.date(), known);
      }
      long lag = Math.max(0, Duration.between(verdict.date(), curDate).toMillis());
      return new Observation(
          Health.LAGGING,
          sha,
          latency,
          "serves an InRelease of "
              + Rfc2822Dates.format(verdict.date())
              + ", older than every kept snapshot",
          lag,
          null,
          true);
    }
    KnownSnapshot theirs = known.oldestFirst().get(at);
    Optional<String> inconsistent =
        content.indexes(base, suite, theirs.indexSizes().getOrDefault(suite, Map.of()));
    if (inconsistent.isPresent()) {
      return new Observation(Health.SYNCING, sha, latency, inconsistent.get(), null, null, true);
    }
    Optional<Observation> pool = content.pool(base, content.sampleOf(theirs), sha, latency);
    if (pool.isPresent()) {
      return pool.get();
    }
    if (known.isCurrent(at)) {
      return new Observation(Health.OK, sha, latency, "at the current snapshot", null, null, true);
    }
    KnownSnapshot next = known.oldestFirst().get(at + 1);
    long lag = Math.max(0, Duration.between(next.publishedAt(), now).toMillis());
    int behind = known.oldestFirst().size() - 1 - at;
    return new Observation(
        Health.LAGGING,
        sha,
        latency,
        "at snapshot "
            + theirs.name()
            + ", "
            + behind
            + " behind; superseded "
            + Duration.ofMillis(lag).toSeconds()
            + " s ago",
        lag,
        null,
        true);
  }

  /**
   * A conditional GET of each InRelease the last full probe of this mirror read, per scheme and
   * suite, and a HEAD of its ftpsync lock file: cheap enough to look at every mirror every few
   * seconds between full probes. An InRelease that changed is forgotten, so the full probe that
   * follows reads it whole; a lock that appeared is CHANGED too (the full probe says SYNCING).
   */
  public MirrorChange recheck(MirrorConfig m) {
    return net.recheck(m);
  }

  /** {@link #recheck} of many mirrors at once, at most {@code parallelism} at a time. */
  public Map<String, MirrorChange> recheckAll(Collection<MirrorConfig> mirrors)
      throws InterruptedException {
    Map<String, Future<MirrorChange>> tasks = new LinkedHashMap<>();
    for (MirrorConfig m : mirrors) {
      tasks.put(m.id(), workers.submit(() -> recheck(m)));
    }
    Map<String, MirrorChange> out = new TreeMap<>();
    for (Map.Entry<String, Future<MirrorChange>> e : tasks.entrySet()) {
      try {
        out.put(e.getKey(), e.getValue().get());
      } catch (ExecutionException ex) {
        out.put(e.getKey(), MirrorChange.UNREACHABLE);
      }
    }
    return out;
  }

  /** HTTP requests sent so far: the cost of probing, for figures. */
  public long requestsSent() {
    return net.sent();
  }

  /** Checks an unknown InRelease: signature and Date; a problem or the date. */
  private InReleaseVerdict judge(byte[] data, String where) {
    try {
      ClearSignedMessage msg = ClearSignedMessage.parse(data, where);
      keys.verifyClearSigned(msg, clock.instant());
      ReleaseFile rf = ReleaseParser.parse(msg.signedText(), where);
      return new InReleaseVerdict(null, rf.date());
    } catch (SignatureException e) {
      return new InReleaseVerdict("InRelease does not verify: " + e.getMessage(), null);
    } catch (ArchiveFormatException e) {
      return new InReleaseVerdict("InRelease is malformed: " + e.getMessage(), null);
    } catch (IOException | RuntimeException e) {
      return new InReleaseVerdict("InRelease cannot be read: " + e, null);
    }
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Override
  public void close() {
    workers.shutdownNow();
    familyWorkers.shutdownNow();
    net.http.close();
  }
}
