package org.mirrordirector.ops.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.mirrordirector.director.AccessLogSettings;
import org.mirrordirector.director.DirectorArchive;
import org.mirrordirector.director.DirectorServer;
import org.mirrordirector.director.DirectorSettings;
import org.mirrordirector.director.DirectorSources;
import org.mirrordirector.director.GeoIp;
import org.mirrordirector.director.SelectionPolicy;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.ReplicaPresence;
import org.mirrordirector.failover.ViewSource;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.failover.net.Nat64;
import org.mirrordirector.ops.common.Durations;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.SyncService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node: the director, the sync agent (copying the upstream while active, the active node's tree
 * while the hot spare), its rsync module, and the prober (rounds only while active), over one
 * ZooKeeper client. Built from a {@link NodeConfig}; {@link #close()} stops it in the order that
 * hands the leadership over first.
 *
 * <p>A replica ({@code node.role: replica}) is the director alone: it reads the registry (through
 * the ZooKeeper observer of its region), copies and verifies the indexes of the active node's tree
 * and no pool, announces itself with an ephemeral znode ({@link ReplicaPresence}), and never joins
 * the election, probes or writes anything else.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<ArchiveStack> stacks = new ArrayList<>();
  private EmbeddedZooKeeper embedded;
  private CuratorFramework client;
  private Leadership leadership;
  private HappyEyeballs eyeballs;
  private ReplicaPresence presence;
  // Every meter of the node: the director's, its own, the JVM's and Jetty's; /metrics writes it.
  private final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
      NodeMetrics.registry();
  private NodeMetrics metrics;
  private RegistryReader reader;
  private SyncService sync;
  private RsyncModule rsync;
  private DirectorServer director;

  private Node(NodeConfig config) {
    this.config = config;
  }

  /** Starts every part; on failure, stops what was started and throws. */
  public static Node start(NodeConfig config) throws Exception {
    Node n = new Node(config);
    try {
      n.startParts();
      return n;
    } catch (Exception | Error e) {
      n.closeQuietly();
      throw e;
    }
  }

  private void startParts() throws Exception {
    NodeSection me = config.node();
    String id = me.id();
    Path data = me.data();
    Files.createDirectories(data);
    ArchiveSection a = config.archive();

    ZooKeeperSection z = config.zookeeper();
    if (z.embedded()) {
      embedded =
          new EmbeddedZooKeeper(
              data.resolve("zookeeper"), z.embeddedHost(), z.embeddedPort(), z.sessionTimeout());
      opened.add(embedded);
      LOG.info("[{}] embedded ZooKeeper on {}", id, embedded.connectString());
    }
    RegistryPaths paths = new RegistryPaths(z.root());
    HooksSection h = config.hooks();
    LeadershipConfig lc =
        new LeadershipConfig(
            id,
            me.address(),
            z.sessionTimeout(),
            z.connectionTimeout(),
            Duration.ofMillis(Math.max(50, z.sessionTimeout().toMillis() / 16)),
            Duration.ofSeconds(1),
            h.timeout(),
            h.onPromote(),
            h.onDemote());
    // Every outbound connection of the node tries each address of a name (Happy Eyeballs), through
    // the network's NAT64 prefix too when it has one.
    NetworkSection net = config.network();
    java.util.Optional<Nat64> nat64 =
        Nat64.setting(net.nat64Prefix(), java.net.InetAddress::getAllByName);
    eyeballs =
        new HappyEyeballs(
            net.connectStagger(), java.net.InetAddress::getAllByName, nat64.orElse(null));
    LOG.info(
        "node {}: NAT64 prefix {} (network.nat64-prefix: {})",
        id,
        nat64.map(Nat64::toString).orElse("none"),
        net.nat64Prefix());

    client = ZooKeeperClients.start(z.connectString(), lc, eyeballs);
    opened.add(client);
    reader = new RegistryReader(client, paths, data.resolve("registry-view.json"), id);
    opened.add(reader);
    metrics = new NodeMetrics(registry, java.time.Clock.systemUTC());
    opened.add(metrics);
    metrics.bind(reader);
    if (me.replica()) {
      presence = new ReplicaPresence(client, paths, id, me.address(), me.region());
      opened.add(presence);
    } else {
      leadership = new Leadership(client, paths, lc);
      opened.add(leadership);
      metrics.bind(leadership);
    }

    // Each archive on its own: the first one's view is the node's.
    for (ArchiveSection s : config.archives()) {
      boolean first = stacks.isEmpty();
      stacks.add(
          new ArchiveStack(
              config,
              s,
              first,
              client,
              leadership,
              paths,
              first ? reader : null,
              opened,
              eyeballs,
              this::report));
    }
    ArchiveStack main = stacks.get(0);
    sync = main.sync;
    for (ArchiveStack st : stacks) {
      metrics.bind(st.name(), st.sync, st.probes);
    }

    if (a.rsyncPort() != 0) {
      // One daemon: the first archive as module "archive", each further one under its name.
      Map<String, Path> trees = new LinkedHashMap<>();
      for (ArchiveStack st : stacks) {
        trees.put(st.first ? "archive" : st.name(), st.agent.store().root().resolve("current"));
      }
      rsync =
          new RsyncModule(
              data.resolve("rsyncd"), trees, a.rsyncHost(), a.rsyncPort(), a.rsyncAddress());
      opened.add(rsync);
    }

    DirectorSection d = config.director();
    GeoIp geo = d.geoip().isEmpty() ? GeoIp.none() : GeoIp.open(d.geoip());
    opened.add(geo);
    String token =
        d.adminTokenFile() == null
            ? null
            : Files.readString(d.adminTokenFile(), StandardCharsets.UTF_8).strip();
    DirectorSettings settings =
        new DirectorSettings(
            d.host(),
            d.port(),
            d.roots(),
            new SelectionPolicy(d.lagWindow(), d.fallbackMirrors(), d.serveLocally(), d.holdFor()),
            TrustedProxies.parse(d.trustedProxies()),
            token,
            d.maxThreads(),
            4096);
    if (!d.accessLog().isEmpty()) {
      // "stdout", an absolute path, or a path under node.data.
      String target =
          d.accessLog().equals("stdout") ? "stdout" : data.resolve(d.accessLog()).toString();
      settings =
          settings.withAccessLog(
              new AccessLogSettings(
                  target, d.accessLogMaxBytes(), d.accessLogKeep(), d.accessLogCompress()));
    }
    List<DirectorArchive> more = new ArrayList<>();
    for (ArchiveStack st : stacks.subList(1, stacks.size())) {
      more.add(
          new DirectorArchive(
              st.name(), st.section.roots(), st::view, st.files::get, st.local, st.catchUp()));
    }
    director =
        new DirectorServer(
            settings,
            new DirectorSources(
                reader::view,
                main.files::get,
                main.local,
                geo,
                leadership == null ? () -> false : leadership::isServingAsLeader,
                this::notReady,
                leadership,
                paths,
                () -> NodeSelfReport.of(config.node().id(), sync, stacks),
                main.catchUp()),
            main.name(),
            more,
            registry);

    if (presence != null) {
      // A replica is ready only with a view: the first one from ZooKeeper or the disk says so.
      reader.addListener(v -> setReady(), Runnable::run);
    }
    // The status page names a replica that has gone (cut off) as well as the present ones.
    reader.addListener(director::notice, Runnable::run);
    reader.start();
    for (ArchiveStack st : stacks.subList(1, stacks.size())) {
      st.reader.start();
    }
    setReady();
    if (rsync != null) {
      leadership.setRsync(rsync.url());
    }
    director.start();
    LOG.info("[{}] director on {}:{}", id, d.host(), director.port());
    if (presence != null) {
      presence.start();
      LOG.info(
          "[{}] a replica{}: routing from the registry, copying the indexes alone",
          id,
          me.region() == null ? "" : " in " + me.region());
    } else {
      leadership.start();
    }
    for (ArchiveStack st : stacks) {
      st.start(config.probe(), false);
    }
    for (ArchiveStack st : stacks) {
      LOG.info(
          "[{}] archive {} under {}: upstream {}, suites {}{}",
          id,
          st.name(),
          st.section.roots(),
          st.section.upstream(),
          st.section.suites(),
          rsync != null ? ", rsync module " + (st.first ? "archive" : st.name()) : "");
    }
    LOG.info("[{}] started: ZooKeeper {}, data {}", id, z.connectString(), data);
  }

  /**
   * Ready when every archive has a verified snapshot; the snapshot the node announces is its first
   * archive's.
   */
  private void setReady() {
    try {
      boolean all = true;
      for (ArchiveStack st : stacks) {
        all &= st.currentSnapshot().isPresent();
      }
      Optional<String> snapshot = stacks.get(0).currentSnapshot();
      boolean ready = all && snapshot.isPresent() && notReady().isEmpty();
      if (presence != null) {
        presence.set(ready, snapshot.orElse(null));
      } else {
        leadership.setReady(all && snapshot.isPresent(), snapshot.orElse(null));
      }
    } catch (IOException e) {
      LOG.warn("[{}] cannot read the snapshots: {}", config.node().id(), e.toString());
    }
  }

  private void report(ArchiveStack st, SyncReport r) {
    String id = config.node().id();
    switch (r.outcome()) {
      case PUBLISHED, UNCHANGED -> {
        setReady();
        if (r.outcome() == SyncOutcome.PUBLISHED) {
          LOG.info(
              "[{}] {}: published {} from {}",
              id,
              st.name(),
              r.snapshot().getFileName(),
              r.upstream());
        }
      }
      default ->
          LOG.warn(
              "[{}] {}: sync from {}: {} {}",
              id,
              st.name(),
              r.upstream(),
              r.outcome(),
              String.join("; ", r.problems()));
    }
  }

  private Optional<String> notReady() {
    if (presence != null && reader.view().source() == ViewSource.EMPTY) {
      return Optional.of(
          "no registry view yet: ZooKeeper has not answered and there is no last-known-good view");
    }
    for (ArchiveStack st : stacks) {
      try {
        if (st.agent.store().current().isEmpty()) {
          return Optional.of(
              "no verified snapshot of " + st.name() + " yet (the first sync is running)");
        }
      } catch (IOException e) {
        return Optional.of("the snapshot store cannot be read: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  public int port() {
    return director.port();
  }

  /**
   * The registry id of this node's current verified snapshot of its first archive (a replica's: of
   * its index copy), if it has one.
   */
  public Optional<String> localSnapshot() throws IOException {
    return stacks.get(0).currentSnapshot();
  }

  /** The node's leadership; null on a replica, which never stands for election. */
  public Leadership leadership() {
    return leadership;
  }

  /** A replica's presence in the registry; null on a writer. */
  public ReplicaPresence replicaPresence() {
    return presence;
  }

  public ClusterView view() {
    return reader.view();
  }

  public SyncService sync() {
    return sync;
  }

  /** The sync service of one of this node's archives, by name. */
  public Optional<SyncService> sync(String archive) {
    return stacks.stream().filter(s -> s.name().equals(archive)).findFirst().map(s -> s.sync);
  }

  /**
   * The registry view of one of this node's archives, by name (the first one's is {@link #view}).
   */
  public Optional<ClusterView> view(String archive) {
    return stacks.stream()
        .filter(s -> s.name().equals(archive))
        .findFirst()
        .map(ArchiveStack::view);
  }

  /** How this node connects out: its NAT64 prefix, if any, and the address that answered last. */
  public HappyEyeballs eyeballs() {
    return eyeballs;
  }

  public NodeConfig config() {
    return config;
  }

  public Optional<String> rsyncUrl() {
    return Optional.ofNullable(rsync).map(RsyncModule::url);
  }

  /**
   * Hands the leadership over first (the standby takes it at once), answers clients for the drain
   * time while the load balancer moves them, then stops the rest.
   */
  @Override
  public void close() {
    String id = config.node().id();
    if (leadership != null) {
      boolean wasLeader = leadership.isServingAsLeader();
      leadership.close();
      opened.remove(leadership);
      if (wasLeader && director != null && !config.director().drainTime().isZero()) {
        LOG.info(
            "[{}] left the leadership; answering for {} more",
            id,
            Durations.format(config.director().drainTime()));
        try {
          Thread.sleep(config.director().drainTime().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    closeQuietly();
    LOG.info("[{}] stopped", id);
  }

  private void closeQuietly() {
    if (director != null) {
      try {
        director.close();
      } catch (Exception e) {
        LOG.warn("[{}] stopping the director: {}", config.node().id(), e.toString());
      }
    }
    List<AutoCloseable> rev = new ArrayList<>(opened);
    Collections.reverse(rev);
    for (AutoCloseable c : rev) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn(
            "[{}] stopping {}: {}", config.node().id(), c.getClass().getSimpleName(), e.toString());
      }
    }
    opened.clear();
  }
}
