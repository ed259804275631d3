package org.mirrordirector.ops.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.Role;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.probe.ProbeService;

/**
 * The node's own meters, beside the director's in the same registry: the JVM and the process
 * (Micrometer's binders), each archive's syncs and probe rounds, and this node's leadership. The
 * alert rules in {@code ops/monitoring/} are written against these names; {@code NodeMetricsTest}
 * checks the exposition with promtool.
 */
public final class NodeMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final Clock clock;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * A registry for the node, with two of Micrometer's JVM names put in Prometheus's conventions
   * (promtool check metrics flags them): the process's CPU time in seconds as {@code
   * process_cpu_seconds_total} (the name every Prometheus client uses) instead of nanoseconds, and
   * the processor count without a {@code _count} suffix, which Prometheus keeps for histograms; and
   * none of Jetty's byte and message counts, which stay at 0 on a plain connector.
   */
  public static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.config()
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        // Counted only on Jetty's traffic-listening connectors, which the director does not use:
        // they would stay at 0 and say nothing.
        .meterFilter(MeterFilter.denyNameStartsWith("jetty.connections.bytes"))
        .meterFilter(MeterFilter.denyNameStartsWith("jetty.connections.messages"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
              }
            });
    return r;
  }

  public NodeMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time the process has used.")
          .baseUnit("seconds")
          .register(registry);
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** This node's role, its changes, and when it last became the active node. */
  public void bind(Leadership leadership) {
    for (Role r : Role.values()) {
      Gauge.builder("md.leadership.role", leadership, l -> l.role() == r ? 1 : 0)
          .description("1 for this node's role: active, standby or neutral.")
          .tag("role", name(r))
          .register(registry);
    }
    Gauge.builder("md.leadership.epoch", leadership, Leadership::epoch)
        .description("The epoch this node holds or last saw.")
        .register(registry);
    AtomicLong promoted =
        timestamp(
            "md.leadership.last.promotion",
            "When this node last became the active node (0: never).",
            null);
    leadership.addListener(
        (from, to, epoch) -> {
          Counter.builder("md.leadership.transitions")
              .description("Changes of this node's role, by the role it took.")
              .tag("to", name(to))
              .register(registry)
              .increment();
          if (to == Role.ACTIVE) {
            promoted.set(clock.millis());
          }
        },
        Runnable::run);
  }

  /**
   * How much registry traffic reaches this node's view: znode changes seen, and views renewed, by
   * what they renewed (the routing, or the nodes and drills alone).
   */
  public void bind(org.mirrordirector.failover.RegistryReader reader) {
    FunctionCounter.builder(
            "md.registry.events", reader, org.mirrordirector.failover.RegistryReader::events)
        .description("Znode changes this node's registry view has seen.")
        .register(registry);
    FunctionCounter.builder(
            "md.registry.view.rebuilds",
            reader,
            org.mirrordirector.failover.RegistryReader::routingRebuilds)
        .description(
            "Registry views renewed: routing (mirrors, snapshots, current one) rebuilt, or"
                + " presence (nodes, drills) alone.")
        .tag("kind", "routing")
        .register(registry);
    FunctionCounter.builder(
            "md.registry.view.rebuilds",
            reader,
            org.mirrordirector.failover.RegistryReader::presenceUpdates)
        .description(
            "Registry views renewed: routing (mirrors, snapshots, current one) rebuilt, or"
                + " presence (nodes, drills) alone.")
        .tag("kind", "presence")
        .register(registry);
  }

  /** An archive's syncs (every run, by result) and its probe rounds (none on a replica). */
  public void bind(String archive, org.mirrordirector.sync.SyncService sync, ProbeService probes) {
    Timer duration =
        Timer.builder("md.sync.duration")
            .description("How long a sync run took: rsync's stages and the agent's own work.")
            .tag("archive", archive)
            .register(registry);
    Counter files =
        Counter.builder("md.sync.received.files")
            .description("Files rsync transferred (the rest were hard links).")
            .tag("archive", archive)
            .register(registry);
    Counter bytes =
        Counter.builder("md.sync.received")
            .description("Bytes of the new pool files rsync transferred.")
            .baseUnit("bytes")
            .tag("archive", archive)
            .register(registry);
    AtomicLong lastRun =
        timestamp("md.sync.last.run", "When the last sync run ended (0: none yet).", archive);
    AtomicLong lastSuccess =
        timestamp(
            "md.sync.last.success",
            "When a sync run last ended with a verified snapshot, new or unchanged (0: none yet).",
            archive);
    AtomicLong problems = new AtomicLong();
    Gauge.builder("md.verification.problems", problems, AtomicLong::get)
        .description("Problems the last sync run's verification found (0 when it verified).")
        .tag("archive", archive)
        .register(registry);
    for (SyncOutcome o : SyncOutcome.values()) {
      runs(archive, o); // every result present from the start, at 0
    }
    sync.addListener(
        r -> {
          runs(archive, r.outcome()).increment();
          duration.record(r.rsyncTime().plus(r.agentTime()));
          files.increment(r.received());
          long b = 0;
          for (long size : r.receivedPool().values()) {
            b += size;
          }
          bytes.increment(b);
          long now = clock.millis();
          lastRun.set(now);
          switch (r.outcome()) {
            case PUBLISHED, UNCHANGED -> {
              lastSuccess.set(now);
              problems.set(0);
            }
            case REJECTED -> problems.set(Math.max(1, r.problems().size()));
            default -> {}
          }
        });

    if (probes == null) {
      return;
    }
    Timer round =
        Timer.builder("md.probe.round.duration")
            .description("How long a full probe round of every mirror took.")
            .tag("archive", archive)
            .register(registry);
    AtomicLong lastRound =
        timestamp(
            "md.probe.last.round",
            "When this node last ran a full probe round (it probes while active).",
            archive);
    Counter ran = rounds(archive, "ran");
    Counter skipped = rounds(archive, "skipped");
    probes.addListener(
        r -> {
          if (r.skipped() != null) {
            skipped.increment();
            return;
          }
          ran.increment();
          round.record(r.elapsed());
          lastRound.set(r.startedAtMillis() + r.elapsed().toMillis());
        });
  }

  /** A time in milliseconds, exposed in seconds; tagged with the archive when there is one. */
  private AtomicLong timestamp(String name, String help, String archive) {
    AtomicLong millis = new AtomicLong();
    Gauge.Builder<AtomicLong> b =
        Gauge.builder(name, millis, v -> v.get() / 1e3)
            .description(help)
            .baseUnit("timestamp_seconds");
    if (archive != null) {
      b.tag("archive", archive);
    }
    b.register(registry);
    return millis;
  }

  private Counter runs(String archive, SyncOutcome o) {
    return Counter.builder("md.sync.runs")
        .description(
            "Sync runs, by result: published, unchanged, failed, rejected, refused, locked.")
        .tag("archive", archive)
        .tag("result", name(o))
        .register(registry);
  }

  private Counter rounds(String archive, String result) {
    return Counter.builder("md.probe.rounds")
        .description("Full probe rounds: ran, or skipped (not the serving leader, no snapshot).")
        .tag("archive", archive)
        .tag("result", result)
        .register(registry);
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    gc.close();
  }
}
