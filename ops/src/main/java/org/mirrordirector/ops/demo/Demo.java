package org.mirrordirector.ops.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.mirrordirector.failover.TcpProxy;
import org.mirrordirector.ops.client.NodeClient;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.ops.common.Trees;
import org.mirrordirector.ops.hosting.Haproxy;
import org.mirrordirector.ops.node.EmbeddedZooKeeper;
import org.mirrordirector.ops.node.RsyncModule;
import org.mirrordirector.sync.archive.generate.ArchiveGenerator;
import org.mirrordirector.sync.archive.generate.GeneratedArchive;
import org.mirrordirector.sync.archive.generate.GeneratorOptions;

/**
 * Everything on one machine, offline ({@code mirrorctl demo}): a generated signed upstream served
 * by a local rsync daemon, an embedded ZooKeeper, a primary and a hot-spare node as separate
 * processes (so a drill can kill and pause them for real), three local public mirrors (current,
 * lagging, broken), and HAProxy in front checking {@code /leader} when it is installed.
 *
 * <p>With replicas, ZooKeeper is an ensemble of server processes instead: one voter (the writers'
 * quorum) and, per replica, an observer in the replica's own region, whose links to the voter the
 * drill's region mode cuts; each replica ({@code node.role: replica}) reads its observer alone.
 */
public final class Demo implements AutoCloseable, NodeSwitchboard {

  private GeneratorOptions shape(Path out, int packages, long seed) {
    GeneratorOptions o = DemoArchive.options(out, packages, seed, motionSettings == null);
    return motionSettings != null && motionSettings.sources() ? o.withSources(true) : o;
  }

  private final Path dir;
  private final PrintWriter log;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private final DemoNodes nodes;
  private final Map<String, TcpProxy> proxies = new LinkedHashMap<>();
  private final MotionSettings motionSettings;
  private DemoLayout layout;
  private EmbeddedZooKeeper zk;
  private ZooKeeperEnsemble ensemble;
  private final int replicas;
  // Each replica's observer (its region), by replica id.
  private final Map<String, Integer> regions = new LinkedHashMap<>();
  private DemoMotion motion;
  private boolean allFollow;
  // Parts the soak stops and starts again: the mirrors' servers, the upstream's rsync daemons and
  // the embedded ZooKeeper, each on the port it had.
  private final DemoMirrors mirrorServers = new DemoMirrors();
  private final DemoUpstream upstreams = new DemoUpstream();
  private int zkPort;

  public Demo(Path dir, PrintWriter log) {
    this(dir, log, null);
  }

  /**
   * @param motion when not null, the upstream publishes new versions and two more mirrors follow
   *     it, pushed and naive ({@link DemoMotion})
   */
  public Demo(Path dir, PrintWriter log, MotionSettings motion) {
    this(dir, log, motion, 0);
  }

  /**
   * @param replicas director replicas to run, each in a region of its own with its own ZooKeeper
   *     observer (0-4)
   */
  public Demo(Path dir, PrintWriter log, MotionSettings motion, int replicas) {
    if (replicas < 0 || replicas > 4) {
      throw new IllegalArgumentException("replicas must be 0-4: " + replicas);
    }
    this.dir = dir.toAbsolutePath().normalize();
    this.nodes = new DemoNodes(this.dir, this::cut, this::restore);
    this.log = log;
    this.motionSettings = motion;
    this.replicas = replicas;
  }

  /**
   * With publications, every mirror follows the upstream (the soak's network): current soon after
   * each publication, broken a little later (its first copy mends it), lagging much later; pushed
   * and naive as always. Before {@link #start}.
   */
  public Demo withAllMirrorsFollowing() {
    if (motionSettings == null) {
      throw new IllegalStateException("mirrors follow only an upstream that publishes");
    }
    allFollow = true;
    return this;
  }

  /**
   * Builds and starts it all; returns once the service answers apt (the active node is ready and
   * every mirror has been probed), or throws naming what did not come up.
   *
   * @param basePort the service port; the parts take the next ports (0: any free ports)
   */
  public DemoLayout start(int basePort, Duration readyWithin) throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(dir.resolve("logs"));
    DemoPorts ports = new DemoPorts(basePort);
    int service = ports.next();

    // The upstream: version 1, copied by the lagging mirror; then version 2, the current one.
    Path upstream = dir.resolve("upstream");
    Path keyring = dir.resolve("archive-key.asc");
    if (!Files.isRegularFile(upstream.resolve("dists/bookworm/InRelease"))) {
      log("generating a signed upstream archive in " + upstream);
      Trees.deleteTree(dir.resolve("mirrors"));
      GeneratedArchive r =
          ArchiveGenerator.generate(
              shape(upstream, motionSettings == null ? 60 : motionSettings.packages(), 1)
                  .withDate(Instant.now().minus(Duration.ofHours(6))));
      Files.write(keyring, r.key().publicKeyArmored());
      MirrorCopies.copyTree(upstream, dir.resolve("mirrors/lagging"));
      ArchiveGenerator.generate(
          shape(upstream, 0, 2)
              .withUpdateFrom(upstream, 20)
              .withDate(Instant.now().minus(Duration.ofMinutes(5))));
      MirrorCopies.copyTree(upstream, dir.resolve("mirrors/current"));
      MirrorCopies.copyTree(upstream, dir.resolve("mirrors/broken"));
      Trees.deleteTree(
          dir.resolve("mirrors/broken/pool")); // its indexes name files it does not have
    }
    Path served = upstream;
    Path nodesServed = upstream;
    List<String> names = new ArrayList<>(List.of("current", "lagging", "broken"));
    if (motionSettings != null) {
      // Publications swap this link; each rsync connection sees one whole version.
      served = dir.resolve("upstream-live");
      nodesServed = dir.resolve("upstream-nodes");
      DemoMotion.prepare(dir, upstream, served, nodesServed);
      for (String m : List.of("pushed", "naive")) {
        if (!Files.isDirectory(dir.resolve("mirrors").resolve(m))) {
          MirrorCopies.copyTree(upstream, dir.resolve("mirrors").resolve(m));
        }
        names.add(m);
      }
    }
    parts.add(upstreams);
    RsyncModule upstreamd = upstreams.start(dir.resolve("rsyncd-upstream"), served, ports.next());
    RsyncModule nodesUpstreamd = upstreamd;
    if (!nodesServed.equals(served)) {
      // The nodes copy from their own module: a demo whose nodes are STUCK never advances it.
      nodesUpstreamd =
          upstreams.start(dir.resolve("rsyncd-upstream-nodes"), nodesServed, ports.next());
    }

    if (replicas > 0) {
      // A quorum of one voter, and an observer per replica's region.
      ensemble = new ZooKeeperEnsemble(dir.resolve("zookeeper-ensemble"), 1, replicas, ports::next);
      parts.add(ensemble);
      ensemble.startAll();
      ensemble.awaitServing(readyWithin);
      zkPort = ensemble.clientPort(1);
    } else {
      zk =
          new EmbeddedZooKeeper(
              dir.resolve("zookeeper"), "127.0.0.1", ports.next(), Duration.ofSeconds(4));
      parts.add(() -> zk.close()); // the one running now: a soak restarts it
      zkPort = zk.port();
    }

    Path token = dir.resolve("admin-token");
    if (!Files.exists(token)) {
      byte[] b = new byte[16];
      new SecureRandom().nextBytes(b);
      Files.writeString(token, HexFormat.of().formatHex(b) + "\n");
    }

    Map<String, String> mirrors = new LinkedHashMap<>();
    parts.add(mirrorServers);
    for (String m : names) {
      int port = ports.next();
      mirrors.put(m, mirrorServers.start(m, dir.resolve("mirrors").resolve(m), port));
    }

    Map<String, Integer> nodePorts = new LinkedHashMap<>();
    Map<String, Path> nodeConfigs = new LinkedHashMap<>();
    DemoConfigs configs = new DemoConfigs(dir, motionSettings);
    String writersRsync = null;
    for (String id : List.of("node-a", "node-b")) {
      int port = ports.next();
      nodePorts.put(id, port);
      Path c = dir.resolve(id + ".yaml");
      int rsyncPort = ports.next();
      if (writersRsync == null) {
        writersRsync = "rsync://127.0.0.1:" + rsyncPort + "/archive/";
      }
      // Each node reaches ZooKeeper through its own proxy, which the drill's isolate mode cuts.
      TcpProxy proxy = new TcpProxy(zkPort);
      parts.add(proxy);
      proxies.put(id, proxy);
      Files.writeString(
          c,
          configs.node(
              id, port, rsyncPort, proxy.connectString(), nodesUpstreamd.url(), keyring, token));
      nodeConfigs.put(id, c);
    }
    for (String id : nodePorts.keySet()) {
      Process started = startNode(id);
      if (id.equals("node-a")) {
        // The primary is the first to stand for election.
        DemoReadiness.awaitHttp(
            "http://127.0.0.1:" + nodePorts.get(id) + "/leader",
            200,
            readyWithin,
            started,
            dir.resolve("logs/" + id + ".log"));
      }
    }

    Server control = DemoControl.start(this, Files.readString(token).strip(), ports.next());
    parts.add(control::stop);
    String controlUrl =
        "http://127.0.0.1:" + ((ServerConnector) control.getConnectors()[0]).getLocalPort() + "/";
    boolean haproxy = false;
    String serviceUrl;
    if (Haproxy.available()) {
      Haproxy h = new Haproxy(dir.resolve("haproxy"), service, nodePorts.values());
      parts.add(h);
      haproxy = true;
      serviceUrl = "http://127.0.0.1:" + service + "/";
    } else {
      serviceUrl = "http://127.0.0.1:" + nodePorts.get("node-a") + "/";
      log("haproxy is not installed: the service address is node-a's own");
    }
    // The replicas, each reading its own region's observer, sending what no mirror qualifies for
    // to the service (the writer pair).
    Map<String, Integer> replicaPorts = new LinkedHashMap<>();
    for (int r = 1; r <= replicas; r++) {
      String id = "replica-" + r;
      int port = ports.next();
      replicaPorts.put(id, port);
      regions.put(id, 1 + r);
      Path c = dir.resolve(id + ".yaml");
      Files.writeString(
          c,
          configs.replica(
              id, "region-" + r, port, ensemble.connect(1 + r), writersRsync, keyring, serviceUrl));
      nodeConfigs.put(id, c);
      startNode(id);
    }
    layout =
        new DemoLayout(
            dir,
            serviceUrl,
            "127.0.0.1:" + zkPort,
            nodePorts,
            nodeConfigs,
            mirrors,
            keyring,
            token,
            haproxy,
            controlUrl,
            replicaPorts);

    // The mirrors, registered through the active node's admin API.
    NodeClient admin = NodeClient.of(serviceUrl, token, null);
    double[][] places = {
      {48.86, 2.35}, {52.52, 13.40}, {51.51, -0.13}, {50.85, 4.35}, {52.37, 4.90}
    };
    String[] countries = {"FR", "DE", "GB", "BE", "NL"};
    int i = 0;
    for (Map.Entry<String, String> m : mirrors.entrySet()) {
      String json =
          "{\"id\":\"mirror-"
              + m.getKey()
              + "\",\"baseUrls\":{\"http\":\""
              + m.getValue()
              + "\"},\"country\":\""
              + countries[i]
              + "\",\"continent\":\"EU\",\"latitude\":"
              + places[i][0]
              + ",\"longitude\":"
              + places[i][1]
              + ",\"weight\":100,\"enabled\":true,\"drained\":false}";
      var r = admin.admin("PUT", "/admin/mirrors/mirror-" + m.getKey(), json);
      if (r.statusCode() != 200) {
        throw new IOException("registering mirror-" + m.getKey() + ": " + r.body().strip());
      }
      i++;
    }
    DemoReadiness.awaitProbed(
        admin,
        mirrors.size(),
        replicas,
        readyWithin.minus(Duration.ofNanos(System.nanoTime() - t0)),
        dir.resolve("logs"));
    if (motionSettings != null) {
      Map<String, Path> moving = new LinkedHashMap<>();
      for (String m : List.of("pushed", "naive")) {
        moving.put(m, dir.resolve("mirrors").resolve(m));
      }
      motion =
          new DemoMotion(dir, served, nodesServed, upstreamd.url(), moving, motionSettings, log);
      parts.add(motion);
      if (allFollow) {
        Duration every = motionSettings.every();
        motion.follow("current", dir.resolve("mirrors/current"), every.dividedBy(5));
        motion.follow("broken", dir.resolve("mirrors/broken"), every.multipliedBy(2).dividedBy(5));
        motion.follow(
            "lagging", dir.resolve("mirrors/lagging"), every.multipliedBy(4).dividedBy(5));
      }
      motion.start();
      log("publishing a new version every " + Durations.format(motionSettings.every()));
    }
    Files.writeString(dir.resolve("demo.json"), DemoConfigs.json(layout));
    log(String.format("ready in %.1f s", (System.nanoTime() - t0) / 1e9));
    return layout;
  }

  /** Stops the upstream's rsync daemons (the nodes' and the mirrors'): the upstream is down. */
  public void upstreamDown() {
    upstreams.down();
  }

  /** Starts the upstream's rsync daemons again, on their ports. */
  public void upstreamUp() throws Exception {
    upstreams.up();
  }

  /**
   * Restarts ZooKeeper: the embedded server (its data kept), or with replicas the voter, the
   * writers' quorum (the observers lose it meanwhile). Returns once it serves again.
   */
  public synchronized void restartZooKeeper(Duration down) throws Exception {
    if (ensemble != null) {
      ensemble.kill(1);
      Thread.sleep(down.toMillis());
      ensemble.start(1);
      ensemble.awaitServing(Duration.ofSeconds(60));
    } else {
      zk.close();
      Thread.sleep(down.toMillis());
      zk =
          new EmbeddedZooKeeper(
              dir.resolve("zookeeper"), "127.0.0.1", zkPort, Duration.ofSeconds(4));
    }
  }

  /** A public mirror's server stops: connections to it are refused. */
  public void dropMirror(String name) {
    mirrorServers.drop(name);
  }

  /** A dropped mirror's server starts again, on its port, over its tree. */
  public void returnMirror(String name) throws Exception {
    mirrorServers.bringBack(name);
  }

  /** The prober's requests each mirror answered so far, by mirror id. */
  public Map<String, Long> probeRequests() {
    return mirrorServers.probeRequests();
  }

  /**
   * Kills a node (SIGKILL) while its sync agent's rsync runs ({@link DemoNodes#killMidSync});
   * returns whether one was running.
   */
  public boolean killMidSync(String id, Duration within) throws InterruptedException {
    return nodes.killMidSync(id, within);
  }

  /** Acts on a node process or its ZooKeeper link ({@link DemoNodes#act}). */
  @Override
  public String act(String id, String action) throws IOException, InterruptedException {
    return nodes.act(id, action);
  }

  /** Starts (or starts again) a node process; its output goes to logs/ID.log. */
  public Process startNode(String id) throws IOException {
    return nodes.start(id);
  }

  @Override
  public Map<String, Process> nodes() {
    return nodes.all();
  }

  /**
   * Cuts a node's link to ZooKeeper; for a replica, its region's: its observer's links to the
   * voters (the observer runs on, cut off).
   */
  public void cut(String id) {
    Integer observer = regions.get(id);
    if (observer != null) {
      ensemble.cut(observer);
    } else {
      proxy(id).cut();
    }
  }

  /** Mends what {@link #cut} cut. */
  public void restore(String id) {
    Integer observer = regions.get(id);
    if (observer != null) {
      ensemble.restore(observer);
    } else {
      proxy(id).restore();
    }
  }

  /** Whether a node's (or a replica's region's) link is cut. */
  @Override
  public boolean isCut(String id) {
    Integer observer = regions.get(id);
    return observer != null ? ensemble.isCut(observer) : proxy(id).isCut();
  }

  /** The proxy between a node and ZooKeeper. */
  public TcpProxy proxy(String id) {
    TcpProxy p = proxies.get(id);
    if (p == null) {
      throw new IllegalArgumentException("no node '" + id + "' in the demo");
    }
    return p;
  }

  public DemoLayout layout() {
    return layout;
  }

  /** The moving upstream and mirrors, when the demo was started with them; else null. */
  public DemoMotion motion() {
    return motion;
  }

  private void log(String s) {
    log.println("demo: " + s);
    log.flush();
  }

  @Override
  public synchronized void close() {
    nodes.close();
    List<AutoCloseable> rev = new ArrayList<>(parts);
    java.util.Collections.reverse(rev);
    for (AutoCloseable c : rev) {
      try {
        c.close();
      } catch (Exception e) {
        log("stopping " + c + ": " + e);
      }
    }
    parts.clear();
  }
}
