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
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.MirrorState;
import org.mirrordirector.failover.Payloads.SuiteState;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;
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
  private final AtomicReference<Round> last = new AtomicReference<>();

  /**
   * What one round did.
   *
   * @param skipped why no round ran (not the leader, nothing known yet), or null
   */
  public record Round(
      long startedAtMillis,
      Duration elapsed,
      int mirrors,
      Map<String, MirrorState> states,
      String skipped) {}

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
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            round();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            LOG.error("probe round failed", e);
          }
        },
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** One round now, on the caller's thread. */
  public Round round() throws InterruptedException {
    long started = clock.millis();
    long t0 = System.nanoTime();
    if (!leadership.isServingAsLeader()) {
      return remember(new Round(started, Duration.ZERO, 0, Map.of(), "not the serving leader"));
    }
    KnownSnapshots k = known.get();
    if (k.current().isEmpty()) {
      return remember(new Round(started, Duration.ZERO, 0, Map.of(), "no snapshot yet"));
    }
    List<MirrorConfig> mirrors = new ArrayList<>();
    for (ClusterView.Mirror m : view.get().mirrors().values()) {
      if (m.config().enabled()) {
        mirrors.add(m.config());
      }
    }
    tracker.retain(mirrors.stream().map(MirrorConfig::id).collect(Collectors.toSet()));
    Map<String, Map<String, Map<String, Observation>>> found = prober.probeAll(mirrors, k);
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
      MirrorState state = new MirrorState(m.getKey(), schemes, now);
      states.put(m.getKey(), state);
      try {
        writer.putMirrorState(state);
      } catch (FencedOutException e) {
        LOG.warn("probe results not written, this node was fenced out: {}", e.getMessage());
        return remember(
            new Round(
                started,
                Duration.ofNanos(System.nanoTime() - t0),
                mirrors.size(),
                states,
                "fenced out"));
      } catch (Exception e) {
        LOG.warn("cannot write the state of mirror {}: {}", m.getKey(), e.toString());
      }
    }
    return remember(
        new Round(started, Duration.ofNanos(System.nanoTime() - t0), mirrors.size(), states, null));
  }

  private Round remember(Round r) {
    last.set(r);
    return r;
  }

  public Round lastRound() {
    return last.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    prober.close();
  }
}
