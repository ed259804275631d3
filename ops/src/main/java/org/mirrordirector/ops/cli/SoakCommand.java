package org.mirrordirector.ops.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.DurationConverter;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.MotionSettings;
import org.mirrordirector.ops.demo.NodeSpeed;
import org.mirrordirector.ops.drill.DrillFaults;
import org.mirrordirector.ops.drill.DrillLoadPlan;
import org.mirrordirector.ops.soak.MirrorEvent;
import org.mirrordirector.ops.soak.Soak;
import org.mirrordirector.ops.soak.SoakDeployment;
import org.mirrordirector.ops.soak.SoakReport;
import org.mirrordirector.ops.soak.SoakResult;
import org.mirrordirector.ops.soak.SoakSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mirrorctl soak}: the long run, on a demo of its own, stopping by itself. */
@Command(
    name = "soak",
    description = {
      "Run the demo with everything moving at once, for --duration, then stop: the upstream"
          + " publishes (1 %% of packages changed, some removed, some new), every mirror follows it"
          + " with its own delay, mirrors lag, break, drop off and are drained, faults hit the"
          + " cluster (the drill's four modes, ZooKeeper restarts, the upstream's rsync down, the"
          + " active node killed mid-sync, a replica's region cut off), and real apt-get clients"
          + " update, download and fetch sources all along.",
      "The report: apt operations and failures by cause, Hash Sum mismatches, 404s after a"
          + " redirect, two active nodes at once, faults by kind, and freshness: from each"
          + " publication to (a) the registry's current snapshot, (b) the InRelease clients are"
          + " sent to, (c) half and all of the mirrors serving it, p50 and p99. JSON in"
          + " DIR/soaks/, a record on the status page; exit 1 on any FAIL."
    })
public final class SoakCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      required = true,
      description = "The demo's directory (a fresh one for each soak is best).")
  public Path dir;

  @Option(
      names = "--port",
      defaultValue = "0",
      description =
          "The service port, the parts after it (0: any free ports). Default: ${DEFAULT-VALUE}.")
  public int port;

  @Option(
      names = "--duration",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description = "How long faults and clients run (at least 30s). Default: ${DEFAULT-VALUE}.")
  public Duration duration;

  @Option(
      names = "--publish-every",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "The upstream publishes this often (at least 10s). Default: ${DEFAULT-VALUE}.")
  public Duration publishEvery;

  @Option(
      names = "--fault-every",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "Time between faults on the cluster. Default: ${DEFAULT-VALUE}.")
  public Duration faultEvery;

  @Option(
      names = "--mirror-every",
      defaultValue = "45s",
      converter = DurationConverter.class,
      description = "Time between mirror events. Default: ${DEFAULT-VALUE}.")
  public Duration mirrorEvery;

  @Option(
      names = "--mirror-events",
      defaultValue = "lag,break,drop,drain",
      split = ",",
      paramLabel = "lag,break,drop,drain",
      description = "The mirror events to draw from. Default: ${DEFAULT-VALUE}.")
  public List<String> mirrorEvents;

  @Option(
      names = "--hold",
      defaultValue = "8s",
      converter = DurationConverter.class,
      description =
          "How long a pause or a cut lasts (longer than the 4 s session); drops and drains last"
              + " twice as long. Default: ${DEFAULT-VALUE}.")
  public Duration hold;

  @Option(
      names = "--clients",
      defaultValue = "3",
      description =
          "apt clients; one in three uses mirror+http, one in three goes through a replica."
              + " Default: ${DEFAULT-VALUE}.")
  public int clients;

  @Option(
      names = "--replicas",
      defaultValue = "1",
      description =
          "Director replicas (0-4); with none, no region is cut. Default: ${DEFAULT-VALUE}.")
  public int replicas;

  @Option(
      names = "--packages",
      defaultValue = "400",
      description =
          "Packages in the archive (1 %% change at each publication). Default: ${DEFAULT-VALUE}.")
  public int packages;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "The random order and timing of faults and events. Default: ${DEFAULT-VALUE}.")
  public long seed;

  @Option(names = "--report", paramLabel = "FILE", description = "Where the JSON report goes.")
  public Path report;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Soak a deployment instead of a demo: its service address. The soak then watches the"
              + " upstream's own publications (each InRelease's Date) and injects only the node"
              + " faults, through --fault-command; DIR holds the clients and the report.")
  public String url;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "With --url: the admin token, to record the soak on the status page.")
  public Path tokenFile;

  @Option(
      names = "--keyring",
      paramLabel = "FILE",
      description = "With --url: the archive's keyring, for apt (required).")
  public Path keyring;

  @Option(
      names = "--fault-command",
      paramLabel = "COMMAND",
      description =
          "With --url: the drill's fault command ({node}, {action}); without it no fault is"
              + " injected.")
  public String faultCommand;

  @Option(
      names = "--root",
      defaultValue = "/raspbian/",
      description = "With --url: the archive's path on the director. Default: ${DEFAULT-VALUE}.")
  public String root;

  @Option(
      names = "--suite",
      defaultValue = "bookworm",
      description = "With --url: the suite the clients use. Default: ${DEFAULT-VALUE}.")
  public String suite;

  @Option(
      names = "--sync-interval",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "With --url: the nodes' archive.sync-interval, for freshness (b)'s limit. Default:"
              + " ${DEFAULT-VALUE}.")
  public Duration syncInterval;

  @Option(
      names = "--tail",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "With --url: how long to wait after the duration for the last publication to reach the"
              + " snapshot and the routed InRelease. Default: ${DEFAULT-VALUE}.")
  public Duration tail;

  @Override
  public Integer call() throws Exception {
    if (publishEvery.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new UsageException(
          "--publish-every must be at least 10s: " + Durations.format(publishEvery));
    }
    if (replicas < 0 || replicas > 4) {
      throw new UsageException("--replicas must be 0-4: " + replicas);
    }
    if (packages < 100 || packages > 100_000) {
      throw new UsageException("--packages must be 100..100000: " + packages);
    }
    if (port < 0 || port > 65500) {
      throw new UsageException("--port must be 0 or 1-65500: " + port);
    }
    SoakSettings settings;
    try {
      java.util.Set<MirrorEvent> events = java.util.EnumSet.noneOf(MirrorEvent.class);
      for (String e : mirrorEvents) {
        try {
          events.add(MirrorEvent.valueOf(e.strip().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException x) {
          throw new IllegalArgumentException(
              "--mirror-events: '" + e + "' is not lag, break, drop or drain");
        }
      }
      settings = new SoakSettings(duration, faultEvery, mirrorEvery, hold, clients, seed, events);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (url != null) {
      return deployment(settings, out);
    }
    for (String o :
        List.of("--token-file", "--keyring", "--fault-command", "--sync-interval", "--tail")) {
      if (given(o)) {
        throw new UsageException(o + " goes with --url (a deployment), not the demo");
      }
    }
    try (Demo demo = new Demo(dir, out, motion(publishEvery, packages, seed), replicas)) {
      demo.withAllMirrorsFollowing().start(port, Duration.ofSeconds(180));
      SoakResult r = new Soak(demo, settings, out).run();
      return finish(r, NodeClient.of(demo.layout().service(), demo.layout().token(), null), out);
    }
  }

  private boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private int deployment(SoakSettings settings, PrintWriter out) throws Exception {
    for (String o :
        List.of(
            "--publish-every",
            "--mirror-every",
            "--mirror-events",
            "--replicas",
            "--packages",
            "--port")) {
      if (given(o)) {
        throw new UsageException(
            o + " shapes the demo: a deployment's upstream, mirrors and replicas are its own");
      }
    }
    if (keyring == null || !Files.isReadable(keyring)) {
      throw new UsageException(
          "--url needs the archive's keyring for apt: --keyring FILE (cannot read "
              + keyring
              + ")");
    }
    DrillLoadPlan archive;
    try {
      archive = new DrillLoadPlan(root, suite, keyring, Duration.ZERO);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    DrillFaults faults = faultCommand == null ? null : new CommandFaults(faultCommand);
    Files.createDirectories(dir);
    SoakResult r =
        new Soak(
                new SoakDeployment(
                    url, tokenFile, keyring, archive, faults, dir, syncInterval, tail),
                settings,
                out)
            .run();
    return finish(r, tokenFile == null ? null : NodeClient.of(url, tokenFile, null), out);
  }

  /** The report on the terminal, in its JSON file, and (with a token) on the status page. */
  private int finish(SoakResult r, NodeClient admin, PrintWriter out) throws Exception {
    Path file = report != null ? report : dir.resolve("soaks").resolve(r.id() + ".json");
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, SoakReport.json(r));
    out.print(SoakReport.render(r));
    out.println("report: " + file);
    if (admin != null) {
      out.println(SoakReport.record(admin, r));
    }
    out.flush();
    return r.passed() ? ExitCode.OK : ExitCode.FAILED;
  }

  /**
   * The soak's archive: publications of 1 % of the packages, with sources, every mirror following.
   */
  public static MotionSettings motion(Duration every, int packages, long seed) {
    return new MotionSettings(
            every,
            1,
            Duration.ZERO,
            every.dividedBy(2),
            false,
            100,
            Duration.ofSeconds(5),
            null,
            NodeSpeed.FAST,
            seed)
        .withArchive(packages, true);
  }
}
