package org.mirrordirector.ops;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mirrordirector.sync.archive.Sha256;

/**
 * The long run ({@code mirrorctl soak}): on a demo whose upstream publishes and whose mirrors all
 * follow it, real apt clients update, download and fetch sources in a loop while faults hit the
 * cluster and the mirrors lag, break, drop off and are drained, for a bounded time. Then the
 * publications stop, the soak waits for the last one to reach every stage (bounded too), and the
 * report says what every client operation did and how fresh the network stayed.
 */
final class Soak {
  /**
   * How the soak runs.
   *
   * @param duration how long faults and clients run
   * @param faultEvery time between faults on the cluster (randomly 0.75 to 1.25 of it)
   * @param mirrorEvery time between mirror events
   * @param hold how long a pause, a cut, a drop or a drain lasts
   * @param clients apt clients
   * @param seed the random order and timing of everything
   */
  record Settings(
      Duration duration,
      Duration faultEvery,
      Duration mirrorEvery,
      Duration hold,
      int clients,
      long seed) {
    Settings {
      if (duration.compareTo(Duration.ofSeconds(30)) < 0) {
        throw new IllegalArgumentException(
            "--duration must be at least 30s: " + Durations.format(duration));
      }
      if (faultEvery.compareTo(Duration.ofSeconds(5)) < 0
          || mirrorEvery.compareTo(Duration.ofSeconds(5)) < 0) {
        throw new IllegalArgumentException("faults and mirror events at least 5s apart");
      }
      if (hold.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("--hold must be at least 1s: " + Durations.format(hold));
      }
      if (clients < 1 || clients > 16) {
        throw new IllegalArgumentException("--clients must be 1..16: " + clients);
      }
    }
  }

  private static final String SUITE = "bookworm";
  private static final String ROOT = "raspbian/";

  private final Demo demo;
  private final Settings settings;
  private final PrintWriter log;

  Soak(Demo demo, Settings settings, PrintWriter log) {
    if (demo.motion() == null) {
      throw new IllegalArgumentException("the soak needs a demo whose upstream publishes");
    }
    this.demo = demo;
    this.settings = settings;
    this.log = log;
  }

  SoakReport.Report run() throws Exception {
    Demo.Layout l = demo.layout();
    DemoMotion motion = demo.motion();
    Duration every = motion.settings().every();
    NodeClient service = NodeClient.of(l.service(), l.token(), null);
    String id = "soak-" + Instant.now().toString().replaceAll("[^0-9TZ]", "");
    Path work = l.dir().resolve("soaks").resolve(id);
    Files.createDirectories(work);

    // The versions known so far: the one live now, and those published before the soak.
    List<SoakFigures.Publication> baseline = new ArrayList<>();
    Path live = l.dir().resolve("upstream-live/dists/" + SUITE + "/InRelease");
    baseline.add(
        new SoakFigures.Publication(
            2, System.currentTimeMillis(), Sha256.hex(Files.readAllBytes(live))));
    for (DemoMotion.Publication p : motion.published()) {
      baseline.add(
          new SoakFigures.Publication(p.version(), p.at().toEpochMilli(), p.inReleaseSha256()));
    }
    int firstVersion = baseline.stream().mapToInt(SoakFigures.Publication::version).max().orElse(2);

    Map<String, String> writers = new LinkedHashMap<>();
    l.nodePorts().forEach((n, p) -> writers.put(n, "127.0.0.1:" + p));
    Map<String, String> mirrors = new LinkedHashMap<>();
    l.mirrors().forEach((m, u) -> mirrors.put("mirror-" + m, u));
    SoakWatch watch =
        new SoakWatch(service, writers, mirrors, ROOT + "dists/" + SUITE + "/InRelease").start();

    Set<Integer> directorPorts = new HashSet<>(l.nodePorts().values());
    directorPorts.addAll(l.replicaPorts().values());
    directorPorts.add(service.base().getPort());
    SoakClients clients =
        new SoakClients(work, clientSources(l), "armhf", directorPorts, settings.seed()).start();
    log(
        "%s: %s, %d apt clients, a publication every %s, a fault every %s, a mirror event every %s",
        id,
        Durations.format(settings.duration()),
        settings.clients(),
        Durations.format(every),
        Durations.format(settings.faultEvery()),
        Durations.format(settings.mirrorEvery()));

    Instant started = Instant.now();
    long until = System.nanoTime() + settings.duration().toNanos();
    SoakFaults faults = new SoakFaults(demo, service, settings.hold(), every, log);
    Thread f =
        Drill.daemon(
            () -> {
              try {
                faults.faults(until, settings.faultEvery(), new Random(settings.seed()));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "soak-faults");
    Thread m =
        Drill.daemon(
            () -> {
              try {
                faults.mirrorEvents(until, settings.mirrorEvery(), new Random(settings.seed() + 1));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "soak-mirrors");
    f.start();
    m.start();
    f.join();
    m.join();
    long faultsEnded = System.currentTimeMillis();
    motion.stopPublishing();
    List<SoakFigures.Publication> all = new ArrayList<>(baseline);
    List<SoakFigures.Publication> during = new ArrayList<>();
    for (DemoMotion.Publication p : motion.published()) {
      if (p.version() > firstVersion) {
        SoakFigures.Publication x =
            new SoakFigures.Publication(p.version(), p.at().toEpochMilli(), p.inReleaseSha256());
        all.add(x);
        during.add(x);
      }
    }
    // The tail: until the last publication has reached every mirror, bounded.
    SoakFigures figures = new SoakFigures(all);
    long tailEnd = System.nanoTime() + every.multipliedBy(3).plusSeconds(30).toNanos();
    while (!during.isEmpty() && System.nanoTime() < tailEnd) {
      SoakFigures.Freshness last =
          figures.freshness(
              during.get(during.size() - 1),
              watch.current(),
              watch.routed(),
              watch.mirrorInReleases());
      if (last.snapshotMillis() >= 0 && last.routedMillis() >= 0 && last.allMillis() >= 0) {
        break;
      }
      Thread.sleep(250);
    }
    clients.close();
    watch.close();
    Instant finished = Instant.now();
    log(
        "%s: faults ended, %d publications, tail %.0f s",
        id, during.size(), (System.currentTimeMillis() - faultsEnded) / 1000.0);

    List<SoakFigures.Freshness> fresh = new ArrayList<>();
    for (SoakFigures.Publication p : during) {
      fresh.add(figures.freshness(p, watch.current(), watch.routed(), watch.mirrorInReleases()));
    }
    return SoakReport.build(
        id,
        started,
        finished,
        settings,
        every,
        syncBound(l),
        clients,
        watch,
        faults,
        figures,
        fresh);
  }

  /**
   * The apt clients' sources: one in three through {@code mirror+http} (apt moves to the next
   * mirror when one fails), and with replicas one in three through the first replica; the rest
   * through the service address. Binaries and sources.
   */
  private List<SoakClients.Client> clientSources(Demo.Layout l) {
    List<SoakClients.Client> out = new ArrayList<>();
    String key = "[signed-by=" + l.keyring() + "]";
    for (int i = 0; i < settings.clients(); i++) {
      String base = l.service();
      String name = "apt-" + i;
      if (i % 3 == 2 && !l.replicaPorts().isEmpty()) {
        var r = l.replicaPorts().entrySet().iterator().next();
        base = "http://127.0.0.1:" + r.getValue() + "/";
        name += "-via-" + r.getKey();
      }
      String uri = base + ROOT;
      if (i % 3 == 1) {
        uri = "mirror+" + base + ROOT + "mirrors.txt";
        name += "-mirror+http";
      }
      out.add(
          new SoakClients.Client(
              name,
              "deb "
                  + key
                  + " "
                  + uri
                  + " "
                  + SUITE
                  + " main rpi\ndeb-src "
                  + key
                  + " "
                  + uri
                  + " "
                  + SUITE
                  + " main rpi\n"));
    }
    return out;
  }

  private static final Pattern SYNC_MAX =
      Pattern.compile("(?m)^md_sync_duration_seconds_max\\{[^}]*\\} ([0-9.eE+-]+)$");

  /**
   * The limit for freshness (b): the nodes' sync interval, plus the longest sync run a writer node
   * reports ({@code md_sync_duration_seconds_max}), plus 10 s.
   */
  private Duration syncBound(Demo.Layout l) throws IOException {
    double longest = 0;
    for (int port : l.nodePorts().values()) {
      try {
        String metrics = NodeClient.of("http://127.0.0.1:" + port + "/", null, null).metrics();
        Matcher mm = SYNC_MAX.matcher(metrics);
        while (mm.find()) {
          longest = Math.max(longest, Double.parseDouble(mm.group(1)));
        }
      } catch (IOException | InterruptedException e) {
        // a node that does not answer now reports nothing
      }
    }
    String conf = Files.readString(l.nodeConfigs().values().iterator().next());
    Matcher si = Pattern.compile("sync-interval: (\\S+)").matcher(conf);
    Duration interval = si.find() ? Durations.parse(si.group(1)) : Duration.ofMinutes(5);
    return interval.plusMillis((long) (longest * 1000)).plusSeconds(10);
  }

  private void log(String format, Object... args) {
    synchronized (log) {
      log.println(String.format(Locale.ROOT, format, args));
      log.flush();
    }
  }

  static long seconds(long nanos) {
    return TimeUnit.NANOSECONDS.toSeconds(nanos);
  }
}
