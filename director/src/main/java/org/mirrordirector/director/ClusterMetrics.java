package org.mirrordirector.director;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.CurrentSnapshot;
import org.mirrordirector.failover.DrillRecord;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.NodeInfo;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.failover.ViewSource;

/**
 * The cluster as this node's registry view shows it, as gauges read when {@code /metrics} is
 * scraped: the view (source, age, connection, epoch), the current snapshot (publication time, the
 * upstream's InRelease Date per suite), the nodes (role, readiness, how far each is behind the
 * current snapshot), the mirrors (health and lag per scheme and suite, how many serve the current
 * snapshot) and the last drill of each mode. Every node exposes them, so that whichever node
 * Prometheus reaches, it sees the whole cluster; the alert rules take the maximum over nodes.
 */
final class ClusterMetrics {
  private final Supplier<ClusterView> view;
  private final LongSupplier clock;
  private volatile ClusterView seen = ClusterView.empty();

  private final MultiGauge mirrorHealth;
  private final MultiGauge mirrorLag;
  private final MultiGauge mirrorsByHealth;
  private final MultiGauge mirrorsCurrent;
  private final MultiGauge viewSource;
  private final MultiGauge releaseDate;
  private final MultiGauge nodeRole;
  private final MultiGauge nodeReady;
  private final MultiGauge nodeBehind;
  private final MultiGauge drillPassed;
  private final MultiGauge drillFinished;

  ClusterMetrics(
      MeterRegistry registry, Supplier<ClusterView> view, BooleanSupplier servingAsLeader) {
    this(registry, view, servingAsLeader, System::currentTimeMillis);
  }

  ClusterMetrics(
      MeterRegistry registry,
      Supplier<ClusterView> view,
      BooleanSupplier servingAsLeader,
      LongSupplier clock) {
    this.view = view;
    this.clock = clock;
    mirrorHealth =
        multi(
            registry,
            "md.mirror.health",
            "1 for the mirror's current health per scheme and suite.");
    mirrorLag =
        MultiGauge.builder("md.mirror.lag")
            .description("How long a lagging mirror's snapshot has been superseded.")
            .baseUnit("seconds")
            .register(registry);
    mirrorsByHealth =
        multi(
            registry,
            "md.mirrors",
            "Enabled mirrors by the health of their http scheme (the worst over the suites).");
    mirrorsCurrent =
        multi(
            registry,
            "md.mirrors.current",
            "Enabled, undrained mirrors serving the current snapshot over http for every suite.");
    viewSource =
        multi(
            registry,
            "md.registry.view.source",
            "1 for where the registry view comes from: live (ZooKeeper), last_known_good (disk)"
                + " or empty.");
    releaseDate =
        MultiGauge.builder("md.snapshot.release.date")
            .description("The Date of the upstream's InRelease in the current snapshot, per suite.")
            .baseUnit("timestamp_seconds")
            .register(registry);
    nodeRole = multi(registry, "md.node.role", "1 for each node's role as the registry says.");
    nodeReady = multi(registry, "md.node.ready", "1 when the node says it is ready.");
    nodeBehind =
        MultiGauge.builder("md.node.snapshot.behind")
            .description(
                "How much older the node's snapshot is than the current one (0 when at it;"
                    + " the current snapshot's age when the node has none).")
            .baseUnit("seconds")
            .register(registry);
    drillPassed =
        multi(registry, "md.drill.passed", "1 when the last drill of the mode passed, 0 when not.");
    drillFinished =
        MultiGauge.builder("md.drill.finished")
            .description("When the last drill of the mode finished.")
            .baseUnit("timestamp_seconds")
            .register(registry);

    Gauge.builder("md.zookeeper.connected", this, m -> m.seen.connected() ? 1 : 0)
        .description("1 while the registry view is live.")
        .register(registry);
    Gauge.builder(
            "md.view.last.known.good",
            this,
            m -> m.seen.servingFrom() == ViewSource.LAST_KNOWN_GOOD ? 1 : 0)
        .description(
            "1 while serving from the last-known-good view: loaded from disk, or the last one"
                + " received before the ZooKeeper connection was lost.")
        .register(registry);
    Gauge.builder(
            "md.registry.view.age",
            this,
            m ->
                m.seen.builtAtMillis() == 0
                    ? 0
                    : (m.clock.getAsLong() - m.seen.builtAtMillis()) / 1e3)
        .description("Seconds since the registry view was last rebuilt.")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("md.epoch", this, m -> m.seen.epoch())
        .description("The fencing epoch in the view.")
        .register(registry);
    Gauge.builder("md.serving.as.leader", servingAsLeader, s -> s.getAsBoolean() ? 1 : 0)
        .description("1 while this node serves as the leader.")
        .register(registry);
    Gauge.builder(
            "md.snapshot.published",
            this,
            m -> m.seen.current() == null ? Double.NaN : m.seen.current().publishedAtMillis() / 1e3)
        .description("When the current snapshot was published (recorded in the registry).")
        .baseUnit("timestamp_seconds")
        .register(registry);
  }

  private static MultiGauge multi(MeterRegistry registry, String name, String help) {
    return MultiGauge.builder(name).description(help).register(registry);
  }

  /** Reads the view and sets every gauge from it. */
  void refresh() {
    ClusterView v = view.get();
    seen = v;
    long now = clock.getAsLong();

    List<MultiGauge.Row<?>> health = new ArrayList<>();
    List<MultiGauge.Row<?>> lag = new ArrayList<>();
    Map<Health, Integer> byHealth = new EnumMap<>(Health.class);
    int current = 0;
    String cur = v.current() == null ? null : v.current().snapshot();
    SnapshotRecord curRecord = cur == null ? null : v.snapshots().get(cur);
    for (MirrorView m : v.mirrors().values()) {
      if (m.state() == null) {
        continue;
      }
      for (Map.Entry<String, Map<String, SuiteState>> sc : m.state().schemes().entrySet()) {
        for (Map.Entry<String, SuiteState> su : sc.getValue().entrySet()) {
          Tags t = Tags.of("mirror", m.config().id(), "scheme", sc.getKey(), "suite", su.getKey());
          for (Health h : Health.values()) {
            health.add(
                MultiGauge.Row.of(t.and("health", name(h)), su.getValue().health() == h ? 1 : 0));
          }
          if (su.getValue().lagMillis() != null) {
            lag.add(MultiGauge.Row.of(t, su.getValue().lagMillis() / 1000.0));
          }
        }
      }
      if (!m.config().enabled()) {
        continue;
      }
      Map<String, SuiteState> http = m.state().schemes().get("http");
      if (http == null || http.isEmpty()) {
        continue;
      }
      Health worst = Health.OK;
      boolean atCurrent = curRecord != null && !m.config().drained();
      for (Map.Entry<String, SuiteState> s : http.entrySet()) {
        Health h = s.getValue().health();
        if (h.ordinal() > worst.ordinal()) {
          worst = h;
        }
        atCurrent &= h == Health.OK && atCurrent(s.getKey(), s.getValue(), curRecord);
      }
      byHealth.merge(worst, 1, Integer::sum);
      if (atCurrent) {
        current++;
      }
    }
    mirrorHealth.register(health, true);
    mirrorLag.register(lag, true);
    List<MultiGauge.Row<?>> counts = new ArrayList<>();
    for (Health h : Health.values()) {
      counts.add(MultiGauge.Row.of(Tags.of("health", name(h)), byHealth.getOrDefault(h, 0)));
    }
    mirrorsByHealth.register(counts, true);
    mirrorsCurrent.register(List.of(MultiGauge.Row.of(Tags.empty(), current)), true);

    List<MultiGauge.Row<?>> source = new ArrayList<>();
    for (ViewSource s : ViewSource.values()) {
      source.add(MultiGauge.Row.of(Tags.of("source", name(s)), v.servingFrom() == s ? 1 : 0));
    }
    viewSource.register(source, true);

    List<MultiGauge.Row<?>> dates = new ArrayList<>();
    if (curRecord != null) {
      for (Map.Entry<String, SuiteSnapshot> s : curRecord.suites().entrySet()) {
        dates.add(MultiGauge.Row.of(Tags.of("suite", s.getKey()), s.getValue().dateMillis() / 1e3));
      }
    }
    releaseDate.register(dates, true);

    List<MultiGauge.Row<?>> roles = new ArrayList<>();
    List<MultiGauge.Row<?>> ready = new ArrayList<>();
    List<MultiGauge.Row<?>> behind = new ArrayList<>();
    for (NodeInfo n : v.nodes().values()) {
      for (Role r : Role.values()) {
        roles.add(
            MultiGauge.Row.of(Tags.of("node", n.id(), "role", name(r)), n.role() == r ? 1 : 0));
      }
      ready.add(MultiGauge.Row.of(Tags.of("node", n.id()), n.ready() ? 1 : 0));
      if (v.current() != null) {
        behind.add(MultiGauge.Row.of(Tags.of("node", n.id()), behind(v, n, now) / 1e3));
      }
    }
    nodeRole.register(roles, true);
    nodeReady.register(ready, true);
    nodeBehind.register(behind, true);

    Map<String, DrillRecord> lastByMode = new java.util.TreeMap<>();
    for (DrillRecord d : v.drills()) {
      DrillRecord before = lastByMode.get(d.mode());
      if (before == null || d.finishedAtMillis() > before.finishedAtMillis()) {
        lastByMode.put(d.mode(), d);
      }
    }
    List<MultiGauge.Row<?>> passed = new ArrayList<>();
    List<MultiGauge.Row<?>> finished = new ArrayList<>();
    for (DrillRecord d : lastByMode.values()) {
      passed.add(MultiGauge.Row.of(Tags.of("mode", d.mode()), d.passed() ? 1 : 0));
      finished.add(MultiGauge.Row.of(Tags.of("mode", d.mode()), d.finishedAtMillis() / 1e3));
    }
    drillPassed.register(passed, true);
    drillFinished.register(finished, true);
  }

  /** Whether the mirror's InRelease for this suite is the current snapshot's. */
  private static boolean atCurrent(String suite, SuiteState s, SnapshotRecord current) {
    SuiteSnapshot ss = current == null ? null : current.suites().get(suite);
    return ss != null && ss.inReleaseSha256().equals(s.snapshot());
  }

  /** Milliseconds the node's snapshot is older than the current one. */
  private static long behind(ClusterView v, NodeInfo n, long now) {
    CurrentSnapshot c = v.current();
    if (c.snapshot().equals(n.snapshot())) {
      return 0;
    }
    SnapshotRecord mine = n.snapshot() == null ? null : v.snapshots().get(n.snapshot());
    SnapshotRecord theirs = v.snapshots().get(c.snapshot());
    if (mine == null || theirs == null) {
      return Math.max(0, now - c.publishedAtMillis());
    }
    return Math.max(0, theirs.createdAtMillis() - mine.createdAtMillis());
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
