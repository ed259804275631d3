package org.mirrordirector.ops.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
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
import org.mirrordirector.failover.TcpProxy;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Daemons;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.demo.Demo;
import org.mirrordirector.ops.demo.DemoLayout;
import org.mirrordirector.ops.demo.DemoMotion;
import org.mirrordirector.ops.demo.Publication;
import org.mirrordirector.ops.drill.DrillArchive;
import org.mirrordirector.sync.archive.Sha256;

/**
 * The long run ({@code mirrorctl soak}): real apt clients update, download and fetch sources in a
 * loop while faults hit the cluster, for a bounded time; then the report says what every client
 * operation did and how fresh the network stayed.
 *
 * <p>On the demo, everything moves: the upstream publishes, every mirror follows it, the mirrors
 * lag, break, drop off and are drained, and the faults take in ZooKeeper, the upstream and the sync
 * agent too; at the end the publications stop and the soak waits for the last one to reach every
 * stage. Against a deployment, the soak watches the real upstream's publications (each InRelease's
 * Date is its publication time) and injects only the node faults, through the drill's fault
 * command, when one is given.
 */
public final class Soak {

  private final Demo demo;
  private final SoakDeployment deployment;
  private final SoakSettings settings;
  private final PrintWriter log;

  /** The soak of a demo whose upstream publishes ({@link Demo#withAllMirrorsFollowing}). */
  public Soak(Demo demo, SoakSettings settings, PrintWriter log) {
    if (demo.motion() == null) {
      throw new IllegalArgumentException("the soak needs a demo whose upstream publishes");
    }
    this.demo = demo;
    this.deployment = null;
    this.settings = settings;
    this.log = log;
  }

  /** The soak of a deployment. */
  public Soak(SoakDeployment deployment, SoakSettings settings, PrintWriter log) {
    this.demo = null;
    this.deployment = deployment;
    this.settings = settings;
    this.log = log;
  }

  /** What the soak needs to know of the cluster, the archive and the mirrors. */
  private record Cluster(
      NodeClient service,
      Path work,
      String root,
      String suite,
      Path keyring,
      String architecture,
      List<String> components,
      boolean sources,
      Map<String, String> writers,
      Map<String, String> replicas,
      Map<String, String> mirrors) {}

  public SoakResult run() throws Exception {
    String id = "soak-" + Instant.now().toString().replaceAll("[^0-9TZ]", "");
    Cluster c = demo != null ? demoCluster(id) : deploymentCluster(id);
    Files.createDirectories(c.work());
    DemoMotion motion = demo == null ? null : demo.motion();
    Duration every = motion == null ? null : motion.settings().every();

    // On the demo, the versions known so far: the one live now and those published before.
    List<PublishedVersion> baseline = new ArrayList<>();
    if (motion != null) {
      Path live = demo.layout().dir().resolve("upstream-live/dists/" + c.suite() + "/InRelease");
      baseline.add(
          new PublishedVersion(
              2, System.currentTimeMillis(), Sha256.hex(Files.readAllBytes(live))));
      baseline.addAll(published(motion, 0));
    }
    int firstVersion = baseline.stream().mapToInt(PublishedVersion::version).max().orElse(0);

    SoakWatch watch =
        new SoakWatch(
                c.service(),
                c.writers(),
                c.mirrors(),
                c.root() + "dists/" + c.suite() + "/InRelease")
            .start();
    Set<Integer> directorPorts = new HashSet<>();
    c.writers().values().forEach(a -> directorPorts.add(port(a)));
    c.replicas().values().forEach(u -> directorPorts.add(java.net.URI.create(u).getPort()));
    directorPorts.add(c.service().base().getPort());
    List<TcpProxy> proxies = new ArrayList<>();
    List<SoakClient> sources = clientSources(c, proxies, directorPorts);
    SoakClients clients =
        new SoakClients(c.work(), sources, c.architecture(), directorPorts, settings.seed())
            .start();
    log(
        "%s: %s, %d apt clients, %s, a fault every %s%s",
        id,
        Durations.format(settings.duration()),
        settings.clients(),
        every == null
            ? "the upstream's own publications"
            : "a publication every " + Durations.format(every),
        Durations.format(settings.faultEvery()),
        demo == null ? "" : ", a mirror event every " + Durations.format(settings.mirrorEvery()));

    Instant started = Instant.now();
    long until = System.nanoTime() + settings.duration().toNanos();
    SoakFaults faults =
        new SoakFaults(
            demo,
            demo != null ? demo::act : deployment.faults(),
            c.service(),
            settings.hold(),
            every == null ? settings.hold() : every,
            log);
    List<SoakFault> kinds = faults.kinds(!c.replicas().isEmpty());
    Thread f =
        Daemons.daemon(
            () -> {
              try {
                faults.faults(until, settings.faultEvery(), new Random(settings.seed()), kinds);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException | Error e) {
                // A soak whose faults stopped is not a soak with faults: it fails, saying why.
                faults.problem("the faults stopped: " + e);
              }
            },
            "soak-faults");
    Thread m =
        Daemons.daemon(
            () -> {
              try {
                faults.mirrorEvents(
                    until,
                    settings.mirrorEvery(),
                    new Random(settings.seed() + 1),
                    settings.events());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException | Error e) {
                faults.problem("the mirror events stopped: " + e);
              }
            },
            "soak-mirrors");
    f.start();
    m.start();
    f.join();
    m.join();
    // With no fault to inject (a deployment without --fault-command), the clients and the watch
    // still run for the whole duration.
    long left = until - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
    long faultsEnded = System.currentTimeMillis();

    // The tail: until the last publication has reached every stage (on a deployment, the
    // snapshot and the routed InRelease: its mirrors are not the soak's), bounded.
    long tailEnd;
    if (motion != null) {
      motion.stopPublishing();
      tailEnd = System.nanoTime() + every.multipliedBy(3).plusSeconds(30).toNanos();
    } else {
      tailEnd = System.nanoTime() + deployment.tail().toNanos();
    }
    List<PublishedVersion> all;
    List<PublishedVersion> during;
    while (true) {
      all = new ArrayList<>(baseline);
      if (motion != null) {
        all.addAll(published(motion, firstVersion));
      } else {
        all.addAll(fromDates(watch.dates()));
      }
      during = new ArrayList<>();
      for (PublishedVersion p : all) {
        if (motion != null ? p.version() > firstVersion : p.atMillis() >= started.toEpochMilli()) {
          during.add(p);
        }
      }
      if (during.isEmpty() || System.nanoTime() >= tailEnd) {
        break;
      }
      Freshness last =
          new SoakFigures(all, List.of())
              .freshness(
                  during.get(during.size() - 1),
                  watch.current(),
                  watch.routed(),
                  watch.mirrorInReleases());
      if (last.snapshotMillis() >= 0
          && last.routedMillis() >= 0
          && (motion == null || last.allMillis() >= 0)) {
        break;
      }
      Thread.sleep(250);
    }
    // The cluster whole again: one active node, a ready standby at its snapshot.
    String unhealthy = faults.unhealthy(Duration.ofSeconds(90));
    clients.close();
    watch.close();
    proxies.forEach(TcpProxy::close);
    // A deployment's publications are known from what the watch saw, and it saw more while the
    // cluster was checked: the last ones are known too (so never "unknown"), though not measured.
    if (motion == null) {
      Set<String> measured = new HashSet<>();
      for (PublishedVersion p : during) {
        measured.add(p.sha());
      }
      all = new ArrayList<>(baseline);
      all.addAll(fromDates(watch.dates()));
      during = new ArrayList<>();
      for (PublishedVersion p : all) {
        if (measured.contains(p.sha())) {
          during.add(p);
        }
      }
    }
    Instant finished = Instant.now();
    log(
        "%s: faults ended, %d publications, tail %.0f s",
        id, during.size(), (System.currentTimeMillis() - faultsEnded) / 1000.0);

    List<long[]> outages = new ArrayList<>();
    for (FaultDone d : faults.faults()) {
      if (d.kind().equals(SoakFaults.name(SoakFault.UPSTREAM_DOWN))) {
        outages.add(new long[] {d.startMillis(), d.endMillis()});
      }
    }
    SoakFigures figures = new SoakFigures(all, outages);
    List<Freshness> fresh = new ArrayList<>();
    for (PublishedVersion p : during) {
      fresh.add(figures.freshness(p, watch.current(), watch.routed(), watch.mirrorInReleases()));
    }
    return SoakReport.build(
        id,
        started,
        finished,
        settings,
        every,
        syncBound(watch),
        clients,
        watch,
        faults,
        figures,
        fresh,
        demo != null,
        unhealthy);
  }

  private Cluster demoCluster(String id) {
    DemoLayout l = demo.layout();
    Map<String, String> writers = new LinkedHashMap<>();
    l.nodePorts().forEach((n, p) -> writers.put(n, "127.0.0.1:" + p));
    Map<String, String> replicas = new LinkedHashMap<>();
    l.replicaPorts().forEach((n, p) -> replicas.put(n, "http://127.0.0.1:" + p + "/"));
    Map<String, String> mirrors = new LinkedHashMap<>();
    l.mirrors().forEach((m, u) -> mirrors.put("mirror-" + m, u));
    try {
      return new Cluster(
          NodeClient.of(l.service(), l.token(), null),
          l.dir().resolve("soaks").resolve(id),
          "raspbian/",
          "bookworm",
          l.keyring(),
          "armhf",
          List.of("main", "rpi"),
          true,
          writers,
          replicas,
          mirrors);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The deployment as its status page shows it, and its archive as apt would read it. */
  private Cluster deploymentCluster(String id) throws IOException, InterruptedException {
    NodeClient service = NodeClient.of(deployment.service(), deployment.tokenFile(), null);
    JsonNode status = service.status();
    Map<String, String> writers = new LinkedHashMap<>();
    Map<String, String> replicas = new LinkedHashMap<>();
    for (JsonNode n : status.path("nodes")) {
      String address = n.path("address").asText(null);
      if (address == null) {
        continue;
      }
      if ("REPLICA".equals(n.path("role").asText())) {
        replicas.put(n.path("id").asText(), "http://" + address + "/");
      } else {
        writers.put(n.path("id").asText(), address);
      }
    }
    Map<String, String> mirrors = new LinkedHashMap<>();
    for (JsonNode mirror : status.path("mirrors")) {
      String http = mirror.path("urls").path("http").asText(null);
      if (http != null && mirror.path("enabled").asBoolean()) {
        mirrors.put(mirror.path("id").asText(), http);
      }
    }
    DrillArchive a =
        DrillArchive.read(
            HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(),
            service,
            deployment.archive());
    return new Cluster(
        service,
        deployment.dir().resolve("soaks").resolve(id),
        deployment.archive().root().substring(1),
        deployment.archive().suite(),
        deployment.keyring(),
        a.architecture(),
        a.components(),
        a.sources(),
        writers,
        replicas,
        mirrors);
  }

  private static List<PublishedVersion> published(DemoMotion motion, int after) {
    List<PublishedVersion> out = new ArrayList<>();
    for (Publication p : motion.published()) {
      if (p.version() > after) {
        out.add(new PublishedVersion(p.version(), p.at().toEpochMilli(), p.inReleaseSha256()));
      }
    }
    return out;
  }

  /**
   * A deployment's publications: every InRelease seen, in the order of their Dates, each published
   * at its Date.
   */
  public static List<PublishedVersion> fromDates(Map<String, Long> dates) {
    List<Map.Entry<String, Long>> byDate = new ArrayList<>(dates.entrySet());
    byDate.sort(
        Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    List<PublishedVersion> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : byDate) {
      out.add(new PublishedVersion(out.size() + 1, e.getValue(), e.getKey()));
    }
    return out;
  }

  /**
   * The apt clients' sources: one in three through {@code mirror+http} (apt moves to the next
   * mirror when one fails), and with replicas one in three through the first replica; the rest
   * through the service address. Binaries and sources. On the loopback (the demo) each client goes
   * through a proxy of its own whose connections leave from 127.0.0.(20+N): the director sees as
   * many clients as there are, and spreads them over the mirrors as it spreads real ones.
   */
  private List<SoakClient> clientSources(Cluster c, List<TcpProxy> proxies, Set<Integer> ports)
      throws IOException {
    List<SoakClient> out = new ArrayList<>();
    String key = "[signed-by=" + c.keyring() + "]";
    String comps = String.join(" ", c.components());
    for (int i = 0; i < settings.clients(); i++) {
      java.net.URI target = c.service().base();
      String name = "apt-" + i;
      if (i % 3 == 2 && !c.replicas().isEmpty()) {
        var r = c.replicas().entrySet().iterator().next();
        target = java.net.URI.create(r.getValue());
        name += "-via-" + r.getKey();
      }
      String base = target.toString();
      java.net.InetAddress host = java.net.InetAddress.getByName(target.getHost());
      if (host.isLoopbackAddress() && host instanceof java.net.Inet4Address) {
        TcpProxy p =
            new TcpProxy(
                new java.net.InetSocketAddress(host, target.getPort()),
                java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (20 + i)}));
        proxies.add(p);
        ports.add(p.port());
        base = "http://127.0.0.1:" + p.port() + "/";
        name += "-from-127.0.0." + (20 + i);
      }
      String uri = base + c.root();
      if (i % 3 == 1) {
        uri = "mirror+" + base + c.root() + "mirrors.txt";
        name += "-mirror+http";
      }
      String line = key + " " + uri + " " + c.suite() + " " + comps + "\n";
      // deb-src only where the Release lists Sources: apt skips the line otherwise ("Skipping
      // acquire of configured file 'main/source/Sources'"), and every apt-get source fails.
      out.add(new SoakClient(name, "deb " + line + (c.sources() ? "deb-src " + line : "")));
    }
    return out;
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /**
   * The limit for freshness (b): the nodes' sync interval, plus the longest sync run a writer node
   * reported during the soak ({@code md_sync_duration_seconds_max}), plus 10 s.
   */
  private Duration syncBound(SoakWatch watch) throws IOException {
    Duration interval;
    if (demo != null) {
      String conf = Files.readString(demo.layout().nodeConfigs().values().iterator().next());
      Matcher si = Pattern.compile("sync-interval: (\\S+)").matcher(conf);
      interval = si.find() ? Durations.parse(si.group(1)) : Duration.ofMinutes(5);
    } else {
      interval = deployment.syncInterval();
    }
    return interval.plus(watch.longestSync()).plusSeconds(10);
  }

  private void log(String format, Object... args) {
    synchronized (log) {
      log.println(String.format(Locale.ROOT, format, args));
      log.flush();
    }
  }
}
