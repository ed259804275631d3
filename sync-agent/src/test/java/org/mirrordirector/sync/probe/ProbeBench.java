package org.mirrordirector.sync.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.http.content.ResourceHttpContentFactory;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.mirrordirector.failover.FamilyState;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.sync.RsyncDaemon;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.archive.TestArchive;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * The probe figure of BENCHMARKS.md (issue 4): one probe round over many mirrors, each a port of
 * its own on loopback served by Jetty (current or lagging trees, some refusing connections, some
 * slower than the timeout), with an optional delay per request that stands in for the round trip to
 * a distant mirror.
 *
 * <p>Arguments: work directory, mirrors, parallelism, timeout ms, delay ms per request, rounds.
 */
public final class ProbeBench {
  private ProbeBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int mirrors = Integer.parseInt(args[1]);
    int parallelism = Integer.parseInt(args[2]);
    Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
    long delay = Long.parseLong(args[4]);
    int rounds = Integer.parseInt(args[5]);
    Files.createDirectories(work);
    Path dir = Files.createTempDirectory(work, "probe");
    TestArchive upstream =
        TestArchive.create(dir, GeneratorOptions.small(dir.resolve("upstream"), 200, 5));
    SyncAgent agent;
    Path s1;
    Path s2;
    try (RsyncDaemon d = new RsyncDaemon(dir.resolve("rsyncd"), upstream.root)) {
      agent =
          new SyncAgent(
              SyncConfig.of(d.url(), dir.resolve("node"), List.of("bookworm"), "bench"),
              upstream.keys());
      s1 = agent.runOnce().snapshot();
      ArchiveGenerator.generate(
          GeneratorOptions.small(upstream.root, 0, 5).withUpdateFrom(upstream.root, 5));
      s2 = agent.runOnce().snapshot();
    }
    KnownSnapshots known = new LocalSnapshots(agent.store(), List.of("bookworm")).scan();

    // Of every 40 mirrors: 34 current, 4 lagging, 1 refusing, 1 slower than the timeout.
    int lagging = mirrors / 10;
    int refused = mirrors / 40;
    int slow = mirrors / 40;
    int current = mirrors - lagging - refused - slow;
    List<MirrorConfig> configs = new ArrayList<>();
    Server a = server(s2, delay, current, configs, "current");
    Server b = server(s1, delay, lagging, configs, "lagging");
    Server c = server(s2, timeout.toMillis() + 1000, slow, configs, "slow");
    for (int i = 0; i < refused; i++) {
      int port;
      try (java.net.ServerSocket s =
          new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      configs.add(config("refused-" + i, port));
    }
    System.out.printf(
        "%d mirrors (%d current, %d lagging, %d refusing, %d slower than the %d ms timeout),"
            + " %d ms per request, parallelism %d%n",
        mirrors, current, lagging, refused, slow, timeout.toMillis(), delay, parallelism);
    try (MirrorProber p =
        new MirrorProber(
            ProbeConfig.defaults(List.of("bookworm"))
                .withParallelism(parallelism)
                .withTimeout(timeout),
            upstream.keys(),
            Clock.systemUTC(),
            null)) {
      for (int r = 1; r <= rounds; r++) {
        long t0 = System.nanoTime();
        Map<String, Map<String, Map<String, Observation>>> all = p.probeAll(configs, known);
        double s = (System.nanoTime() - t0) / 1e9;
        Map<Health, Integer> counts = new EnumMap<>(Health.class);
        for (Map<String, Map<String, Observation>> m : all.values()) {
          counts.merge(m.get("http").get("bookworm").health(), 1, Integer::sum);
        }
        // What a full round of ProbeService adds: each mirror that answered checked over IPv4
        // and over IPv6.
        long t1 = System.nanoTime();
        Map<String, Map<String, FamilyState>> fam =
            p.families(
                configs.stream()
                    .filter(m -> all.get(m.id()).get("http").get("bookworm").answered())
                    .toList());
        double fs = (System.nanoTime() - t1) / 1e9;
        long v4 = fam.values().stream().filter(f -> f.get("ipv4").works()).count();
        System.out.printf(
            "round %d: %.2f s  %s; address families of those that answered: %.2f s more (%d work"
                + " over IPv4)%n",
            r, s, counts, fs, v4);
      }
    } finally {
      a.stop();
      b.stop();
      c.stop();
    }
  }

  private static MirrorConfig config(String id, int port) {
    return new MirrorConfig(
        id,
        Map.of("http", "http://127.0.0.1:" + port + "/"),
        "GB",
        "EU",
        null,
        null,
        null,
        List.of(),
        100,
        List.of(),
        true,
        false);
  }

  /** One Jetty server with {@code ports} connectors over one tree, each port a mirror. */
  private static Server server(
      Path tree, long delayMs, int ports, List<MirrorConfig> configs, String name)
      throws Exception {
    Server server = new Server(new QueuedThreadPool(400));
    List<ServerConnector> connectors = new ArrayList<>();
    for (int i = 0; i < ports; i++) {
      ServerConnector c = new ServerConnector(server, 1, 1);
      c.setHost("127.0.0.1");
      c.setPort(0);
      server.addConnector(c);
      connectors.add(c);
    }
    ResourceHandler files =
        new ResourceHandler() {
          @Override
          protected HttpContent.Factory newHttpContentFactory(ByteBufferPool.Sized pool) {
            return new ResourceHttpContentFactory(getBaseResource(), getMimeTypes(), pool);
          }
        };
    files.setBaseResource(ResourceFactory.of(server).newResource(tree));
    files.setDirAllowed(false);
    files.setEtags(true);
    server.setHandler(
        new Handler.Wrapper(files) {
          @Override
          public Invocable.InvocationType getInvocationType() {
            return Invocable.InvocationType.BLOCKING;
          }

          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            if (delayMs > 0) {
              Thread.sleep(delayMs);
            }
            return super.handle(request, response, callback);
          }
        });
    server.start();
    for (int i = 0; i < connectors.size(); i++) {
      configs.add(config(name + "-" + i, connectors.get(i).getLocalPort()));
    }
    return server;
  }
}
