package org.mirrordirector.sync.probe;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorState;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.SuiteState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every configured mirror on an interval and writes what it found to the registry. Runs on
 * the active node only: a round starts only while this node serves as leader, and every write is
 * fenced by the epoch, so a node that lost the leadership mid-round writes nothing.
 */
public final class ProbeService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeService.class);

  private final MirrorProber prober;
  private final HealthTracker tracker;
  private final Leadership leadership;
  private final RegistryWriter writer;
  private final Supplier<ClusterView> view;
  private final Supplier<KnownSnapshots> known;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final AtomicReference<ProbeRound> last = new AtomicReference<>();
  private final Map<String, MirrorState> written = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Integer> familyFailures =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Per mirror, whether it answers over IPv4 and IPv6: checked each full round, kept between. */
  private final Map<String, Map<String, FamilyState>> families =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicBoolean recheckQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final List<java.util.function.Consumer<ProbeRound>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicLong rechecks =
      new java.util.concurrent.atomic.AtomicLong();

  public ProbeService(
      MirrorProber prober,
      Leadership leadership,
      RegistryPaths paths,
      Supplier<ClusterView> view,
      Supplier<KnownSnapshots> known,
      Clock clock) {
    this.prober = Objects.requireNonNull(prober, "prober");
    this.tracker = new HealthTracker(prober.config().confirmations());
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    this.writer = new RegistryWriter(leadership, paths);
    this.view = Objects.requireNonNull(view, "view");
    this.known = Objects.requireNonNull(known, "known");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "probe-rounds");
              t.setDaemon(true);
              return t;
            });
  }

  public ProbeService start(Duration interval) {
    return start(interval, Duration.ZERO);
  }

  /**
   * Probes every mirror fully each {@code interval}, and between full rounds, each {@code recheck}
   * (zero: never), looks at every mirror's InRelease with a conditional GET: a mirror whose
   * InRelease changed, that stopped or started answering, or that is between states is probed fully
   * at once. Rounds and rechecks run one at a time on one thread.
   */
  public ProbeService start(Duration interval, Duration recheck) {
    long tick =
        recheck.isZero() ? interval.toMillis() : Math.min(recheck.toMillis(), interval.toMillis());
    long[] nextFull = {0};
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            long now = System.nanoTime();
            if (now - nextFull[0] >= 0) {
              nextFull[0] = now + interval.toNanos();
              round();
            } else {
              recheck();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            LOG.error("probe round failed", e);
          }
        },
        0,
        tick,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Asks for a recheck of every mirror now (coalesced with one already waiting). */
  public void recheckSoon() {
    if (recheckQueued.compareAndSet(false, true)) {
      try {
        timer.execute(
            () -> {
              recheckQueued.set(false);
              try {
                recheck();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                LOG.error("probe recheck failed", e);
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        recheckQueued.set(false);
      }
    }
  }

  /**
   * One recheck now, on the caller's thread: a conditional GET of every enabled mirror's InRelease
   * files, and a full probe of the mirrors that changed or are between states. Only the states that
   * changed are written.
   */
  public ProbeRound recheck() throws InterruptedException {
    long started = clock.millis();
    long t0 = System.nanoTime();
    if (!leadership.isServingAsLeader()) {
      return new ProbeRound(started, Duration.ZERO, 0, Map.of(), "not the serving leader");
    }
    KnownSnapshots k = known.get();
    if (k.current().isEmpty()) {
      return new ProbeRound(started, Duration.ZERO, 0, Map.of(), "no snapshot yet");
    }
    List<MirrorConfig> settled = new ArrayList<>();
    List<MirrorConfig> full = new ArrayList<>();
    for (MirrorView m : view.get().mirrors().values()) {
      if (!m.config().enabled()) {
        continue;
      }
      (tracker.unsettled(m.config().id()) ? full : settled).add(m.config());
    }
    rechecks.incrementAndGet();
    for (Map.Entry<String, MirrorChange> c : prober.recheckAll(settled).entrySet()) {
      boolean down = tracker.down(c.getKey());
      boolean probe =
          switch (c.getValue()) {
            case SAME -> down; // it answers again
            case CHANGED -> true;
            case UNREACHABLE -> !down;
          };
      if (probe) {
        settled.stream().filter(m -> m.id().equals(c.getKey())).forEach(full::add);
      }
    }
    if (full.isEmpty()) {
      return new ProbeRound(started, Duration.ofNanos(System.nanoTime() - t0), 0, Map.of(), null);
    }
    return write(started, t0, full, prober.probeAll(full, k), true);
  }

  /** One round now, on the caller's thread. */
  public ProbeRound round() throws InterruptedException {
    long started = clock.millis();
    long t0 = System.nanoTime();
    if (!leadership.isServingAsLeader()) {
      return remember(
          new ProbeRound(started, Duration.ZERO, 0, Map.of(), "not the serving leader"));
    }
    KnownSnapshots k = known.get();
    if (k.current().isEmpty()) {
      return remember(new ProbeRound(started, Duration.ZERO, 0, Map.of(), "no snapshot yet"));
    }
    List<MirrorConfig> mirrors = new ArrayList<>();
    for (MirrorView m : view.get().mirrors().values()) {
      if (m.config().enabled()) {
        mirrors.add(m.config());
      }
    }
    tracker.retain(mirrors.stream().map(MirrorConfig::id).collect(Collectors.toSet()));
    Map<String, Map<String, Map<String, Observation>>> found = prober.probeAll(mirrors, k);
    families.keySet().retainAll(mirrors.stream().map(MirrorConfig::id).toList());
    // Only mirrors that answered: one that does not is DOWN for every client anyway, and checking
    // it would wait out its timeout once more.
    List<MirrorConfig> answering =
        mirrors.stream()
            .filter(
                m ->
                    found.getOrDefault(m.id(), Map.of()).values().stream()
                        .flatMap(bySuite -> bySuite.values().stream())
                        .anyMatch(Observation::answered))
            .toList();
    for (Map.Entry<String, Map<String, FamilyState>> e : prober.families(answering).entrySet()) {
      families.put(e.getKey(), confirmed(e.getKey(), e.getValue()));
    }
    // Only what changed: a state that routes as the registry's does is not written again, so that
    // a round over 1,000 mirrors does not make every reader rebuild its routing (issue 16). A
    // lagging mirror's reason names how long it has been superseded, so it is written every round
    // and its lag stays exact.
    return remember(write(started, t0, mirrors, found, true));
  }

  /**
   * Applies the hysteresis to what the probes found and writes each mirror's state; with {@code
   * onlyChanges}, only states whose health, snapshot, reason or address families differ from the
   * registry's.
   */
  private ProbeRound write(
      long started,
      long t0,
      List<MirrorConfig> mirrors,
      Map<String, Map<String, Map<String, Observation>>> found,
      boolean onlyChanges) {
    long now = clock.millis();
    Map<String, MirrorState> states = new TreeMap<>();
    for (Map.Entry<String, Map<String, Map<String, Observation>>> m : found.entrySet()) {
      Map<String, Map<String, SuiteState>> schemes = new TreeMap<>();
      for (Map.Entry<String, Map<String, Observation>> s : m.getValue().entrySet()) {
        Map<String, SuiteState> suites = new TreeMap<>();
        for (Map.Entry<String, Observation> o : s.getValue().entrySet()) {
          suites.put(
              o.getKey(), tracker.apply(m.getKey(), s.getKey(), o.getKey(), o.getValue(), now));
        }
        schemes.put(s.getKey(), suites);
      }
      MirrorState state =
          new MirrorState(m.getKey(), schemes, now, families.getOrDefault(m.getKey(), Map.of()));
      states.put(m.getKey(), state);
      // The registry's state, as this node's view has it: after a failover, another node may
      // have written since this one last did. What this node wrote last when it has no view of it.
      MirrorView seen = view.get().mirrors().get(m.getKey());
      MirrorState before =
          seen != null && seen.state() != null ? seen.state() : written.get(m.getKey());
      if (onlyChanges && before != null && sameRouting(before, state)) {
        continue;
      }
      try {
        writer.putMirrorState(state);
        written.put(m.getKey(), state);
      } catch (FencedOutException e) {
        LOG.warn("probe results not written, this node was fenced out: {}", e.getMessage());
        return new ProbeRound(
            started,
            Duration.ofNanos(System.nanoTime() - t0),
            mirrors.size(),
            states,
            "fenced out");
      } catch (Exception e) {
        LOG.warn("cannot write the state of mirror {}: {}", m.getKey(), e.toString());
      }
    }
    return new ProbeRound(
        started, Duration.ofNanos(System.nanoTime() - t0), mirrors.size(), states, null);
  }

  /**
   * The families a mirror answers over, with the prober's hysteresis: a family that worked is taken
   * away only after {@code confirmations} failed checks in a row (one lost connection does not move
   * every IPv6 client elsewhere); a family that starts working is given at once.
   */
  private Map<String, FamilyState> confirmed(String mirror, Map<String, FamilyState> found) {
    Map<String, FamilyState> before = families.getOrDefault(mirror, Map.of());
    Map<String, FamilyState> out = new TreeMap<>();
    for (Map.Entry<String, FamilyState> f : found.entrySet()) {
      String key = mirror + " " + f.getKey();
      FamilyState was = before.get(f.getKey());
      if (f.getValue().works() || f.getValue().notCheckable()) {
        familyFailures.remove(key);
        out.put(f.getKey(), f.getValue());
      } else if (was != null
          && was.works()
          && familyFailures.merge(key, 1, Integer::sum) < prober.config().confirmations()) {
        out.put(f.getKey(), was);
      } else {
        out.put(f.getKey(), f.getValue());
      }
    }
    return out;
  }

  /**
   * True when two states route alike: the same health, snapshot and reason everywhere, and the same
   * address families.
   */
  private static boolean sameRouting(MirrorState a, MirrorState b) {
    if (!a.schemes().keySet().equals(b.schemes().keySet()) || !a.families().equals(b.families())) {
      return false;
    }
    for (Map.Entry<String, Map<String, SuiteState>> e : a.schemes().entrySet()) {
      Map<String, SuiteState> other = b.schemes().get(e.getKey());
      if (!e.getValue().keySet().equals(other.keySet())) {
        return false;
      }
      for (Map.Entry<String, SuiteState> s : e.getValue().entrySet()) {
        SuiteState x = s.getValue();
        SuiteState y = other.get(s.getKey());
        if (x.health() != y.health()
            || !Objects.equals(x.snapshot(), y.snapshot())
            || !Objects.equals(x.reason(), y.reason())) {
          return false;
        }
      }
    }
    return true;
  }

  /** Rechecks run so far. */
  public long rechecks() {
    return rechecks.get();
  }

  private ProbeRound remember(ProbeRound r) {
    last.set(r);
    for (java.util.function.Consumer<ProbeRound> l : listeners) {
      try {
        l.accept(r);
      } catch (RuntimeException e) {
        LOG.warn("a probe round listener failed", e);
      }
    }
    return r;
  }

  /** Hears every full round (run or skipped), on the thread that ran it, after it is written. */
  public void addListener(java.util.function.Consumer<ProbeRound> listener) {
    listeners.add(listener);
  }

  public ProbeRound lastRound() {
    return last.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    prober.close();
  }
}
