package org.mirrordirector.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.mirrordirector.director.CatchUp;
import org.mirrordirector.director.DirectorServer;
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.director.GeoIp;
import org.mirrordirector.director.KnowledgeKeeper;
import org.mirrordirector.director.RedirectHandler;
import org.mirrordirector.director.SelectionPolicy;
import org.mirrordirector.director.TrustedProxies;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.LeadershipConfig;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.ZooKeeperClients;
import org.mirrordirector.sync.HotSpareUpstream;
import org.mirrordirector.sync.SnapshotRecorder;
import org.mirrordirector.sync.SnapshotStore;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.SyncService;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.probe.LocalSnapshots;
import org.mirrordirector.sync.probe.MirrorProber;
import org.mirrordirector.sync.probe.ProbeConfig;
import org.mirrordirector.sync.probe.ProbeService;
import org.mirrordirector.sync.probe.SnapshotLearner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node: the director, the sync agent (copying the upstream while active, the active node's tree
 * while the hot spare), its rsync module, and the prober (rounds only while active), over one
 * ZooKeeper client. Built from a {@link NodeConfig}; {@link #close()} stops it in the order that
 * hands the leadership over first.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private KnowledgeKeeper files;
  private EmbeddedZooKeeper embedded;
  private CuratorFramework client;
  private Leadership leadership;
  private RegistryReader reader;
  private SyncAgent agent;
  private SyncService sync;
  private ProbeService probes;
  private RsyncModule rsync;
  private DirectorServer director;
  private volatile long lastSyncAt;
  private volatile long lastPublishedAt;

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
    NodeConfig.NodeSection me = config.node();
    String id = me.id();
    Path data = me.data();
    Files.createDirectories(data);
    NodeConfig.ArchiveSection a = config.archive();
    TrustedKeys keys =
        TrustedKeys.load(
            a.keyring(),
            a.fingerprints(),
            a.sha1Bindings() ? Sha1Policy.ALLOW_FOR_BINDINGS : Sha1Policy.REJECT);

    NodeConfig.ZooKeeperSection z = config.zookeeper();
    if (z.embedded()) {
      embedded =
          new EmbeddedZooKeeper(
              data.resolve("zookeeper"), z.embeddedHost(), z.embeddedPort(), z.sessionTimeout());
      opened.add(embedded);
      LOG.info("[{}] embedded ZooKeeper on {}", id, embedded.connectString());
    }
    RegistryPaths paths = new RegistryPaths(z.root());
    NodeConfig.HooksSection h = config.hooks();
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
    client = ZooKeeperClients.start(z.connectString(), lc);
    opened.add(client);
    reader = new RegistryReader(client, paths, data.resolve("registry-view.json"), id);
    opened.add(reader);
    leadership = new Leadership(client, paths, lc);
    opened.add(leadership);

    SyncConfig sc =
        new SyncConfig(
            a.upstream(),
            data.resolve("archive"),
            a.suites(),
            id.replace('_', '-'),
            a.keep(),
            a.rsyncTimeout(),
            "rsync",
            Clock.systemUTC(),
            Duration.ofSeconds(60),
            10,
            a.rsyncArgs(),
            Duration.ofDays(30),
            a.minFreeBytes(),
            a.selection());
    agent = new SyncAgent(sc, keys);
    SnapshotStore store = agent.store();
    Files.createDirectories(store.root());
    NodeConfig.ProbeSection p = config.probe();
    // One learner for the prober and the director: a snapshot the prober learns from a mirror that
    // is ahead of this node is known to the director at once.
    SnapshotLearner learner =
        new SnapshotLearner(keys, p.timeout(), 4, Duration.ofSeconds(5), null);
    opened.add(learner);
    files =
        new KnowledgeKeeper(
            a.suites(), FileKnowledge.load(store.list(), a.suites()), learner, reader::view);
    opened.add(files);
    // The upstream's new indexes arrive long before its pool: learn the snapshot from them.
    agent.onNewIndexes(tree -> files.learnFromTree(tree, keys));

    sync =
        new SyncService(
            agent, new HotSpareUpstream(a.upstream(), leadership, reader::view), a.syncInterval());
    opened.add(sync);
    // The director must know a snapshot's files before the registry routes clients to it.
    sync.addListener(this::learn);
    sync.addListener(new SnapshotRecorder(leadership, paths, store, a.suites(), Clock.systemUTC()));
    sync.addListener(this::report);
    // A role change changes what to copy from: look at once (never block the listener).
    leadership.addListener((from, to, epoch) -> sync.lookSoon(), Runnable::run);

    if (a.rsyncPort() != 0) {
      rsync =
          new RsyncModule(
              data.resolve("rsyncd"),
              store.root().resolve("current"),
              a.rsyncHost(),
              a.rsyncPort(),
              a.rsyncAddress());
      opened.add(rsync);
    }

    MirrorProber prober =
        new MirrorProber(
            ProbeConfig.defaults(a.suites())
                .withTimeout(p.timeout())
                .withParallelism(p.parallelism())
                .withSampleSize(p.sampleSize())
                .withConfirmations(p.confirmations()),
            keys,
            Clock.systemUTC(),
            null,
            learner,
            // A mirror serves a newer signed InRelease: the upstream has moved, look now.
            suite -> sync.lookSoon());
    probes =
        new ProbeService(
            prober,
            leadership,
            paths,
            reader::view,
            new LocalSnapshots(store, a.suites()).supplier(),
            Clock.systemUTC());
    opened.add(probes);

    NodeConfig.DirectorSection d = config.director();
    GeoIp geo = d.geoip().isEmpty() ? GeoIp.none() : GeoIp.open(d.geoip());
    opened.add(geo);
    String token =
        d.adminTokenFile() == null
            ? null
            : Files.readString(d.adminTokenFile(), StandardCharsets.UTF_8).strip();
    DirectorServer.Settings settings =
        new DirectorServer.Settings(
            d.host(),
            d.port(),
            d.roots(),
            new SelectionPolicy(d.lagWindow(), d.fallbackMirrors(), d.serveLocally(), d.holdFor()),
            TrustedProxies.parse(d.trustedProxies()),
            token,
            d.maxThreads(),
            4096);
    director =
        new DirectorServer(
            settings,
            new DirectorServer.Sources(
                reader::view,
                files::get,
                new Local(store),
                geo,
                leadership::isServingAsLeader,
                this::notReady,
                leadership,
                paths,
                this::self,
                new CatchUp() {
                  @Override
                  public void lookNow() {
                    probes.recheckSoon();
                    sync.lookSoon();
                  }

                  @Override
                  public boolean catchingUp() {
                    SyncService.Stats st = sync.stats();
                    return st.running() || st.queued() || files.behind();
                  }
                }));

    reader.start();
    Optional<String> snapshot = currentSnapshotId(store, a.suites());
    leadership.setReady(snapshot.isPresent(), snapshot.orElse(null));
    if (rsync != null) {
      leadership.setRsync(rsync.url());
    }
    director.start();
    LOG.info("[{}] director on {}:{}", id, d.host(), director.port());
    leadership.start();
    probes.start(p.interval(), p.recheckInterval());
    files.start(Duration.ofSeconds(1));
    sync.start();
    LOG.info(
        "[{}] started: ZooKeeper {}, upstream {}, suites {}, data {}{}",
        id,
        z.connectString(),
        a.upstream(),
        a.suites(),
        data,
        rsync != null ? ", rsync module " + rsync.url() : "");
  }

  /** Reads a new snapshot's file sets (the kept ones are reused). */
  private void learn(SyncReport r) {
    if (r.outcome() != SyncReport.Outcome.PUBLISHED) {
      return;
    }
    try {
      files.refreshLocal(agent.store().list());
    } catch (IOException e) {
      LOG.error("[{}] cannot read the new snapshot's file sets", config.node().id(), e);
    }
  }

  private void report(SyncReport r) {
    String id = config.node().id();
    lastSyncAt = System.currentTimeMillis();
    if (r.outcome() == SyncReport.Outcome.PUBLISHED) {
      lastPublishedAt = lastSyncAt;
    }
    switch (r.outcome()) {
      case PUBLISHED, UNCHANGED -> {
        leadership.setReady(true, SnapshotRecorder.idOf(r.ids()));
        if (r.outcome() == SyncReport.Outcome.PUBLISHED) {
          LOG.info("[{}] published {} from {}", id, r.snapshot().getFileName(), r.upstream());
        }
      }
      default ->
          LOG.warn(
              "[{}] sync from {}: {} {}",
              id,
              r.upstream(),
              r.outcome(),
              String.join("; ", r.problems()));
    }
  }

  /** For the status page: this node's syncs. */
  private Map<String, Object> self() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", config.node().id());
    SyncService.Stats st = sync.stats();
    m.put("syncRuns", st.runs());
    m.put("syncRunning", st.running());
    SyncReport last = st.last();
    if (last != null) {
      m.put("lastSyncOutcome", last.outcome().name());
      m.put("lastSyncUpstream", last.upstream());
      m.put("lastSyncAtMillis", lastSyncAt);
      if (!last.problems().isEmpty()) {
        m.put("lastSyncProblems", last.problems());
      }
    }
    if (lastPublishedAt > 0) {
      m.put("lastPublishedAtMillis", lastPublishedAt);
    }
    return m;
  }

  private Optional<String> notReady() {
    try {
      if (agent.store().current().isEmpty()) {
        return Optional.of("no verified snapshot yet (the first sync is running)");
      }
    } catch (IOException e) {
      return Optional.of("the snapshot store cannot be read: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** The registry id of the current snapshot, from its InRelease files. */
  static Optional<String> currentSnapshotId(SnapshotStore store, List<String> suites)
      throws IOException {
    Optional<Path> cur = store.current();
    if (cur.isEmpty()) {
      return Optional.empty();
    }
    Map<String, SnapshotId> ids = new LinkedHashMap<>();
    for (String s : suites) {
      Path f = cur.get().resolve("dists").resolve(s).resolve("InRelease");
      if (!Files.isRegularFile(f)) {
        return Optional.empty();
      }
      ids.put(s, SnapshotId.ofInRelease(Files.readAllBytes(f)));
    }
    return Optional.of(SnapshotRecorder.idOf(ids));
  }

  public int port() {
    return director.port();
  }

  public Leadership leadership() {
    return leadership;
  }

  public ClusterView view() {
    return reader.view();
  }

  public SyncService sync() {
    return sync;
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

  /** The snapshots this node serves files from: the current one, and every kept one. */
  private static final class Local implements RedirectHandler.LocalTree {
    private final SnapshotStore store;

    Local(SnapshotStore store) {
      this.store = store;
    }

    @Override
    public Optional<Path> current() {
      try {
        return store.current();
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    @Override
    public List<Path> kept() {
      try {
        List<Path> all = new ArrayList<>(store.list());
        Collections.reverse(all); // newest first
        return all;
      } catch (IOException e) {
        return List.of();
      }
    }
  }
}
