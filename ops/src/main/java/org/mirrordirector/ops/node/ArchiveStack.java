package org.mirrordirector.ops.node;

import java.io.IOException;
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
import org.mirrordirector.director.FileKnowledge;
import org.mirrordirector.director.KnowledgeKeeper;
import org.mirrordirector.director.LocalTree;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryReader;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.mirrordirector.sync.HotSpareUpstream;
import org.mirrordirector.sync.SnapshotRecorder;
import org.mirrordirector.sync.SnapshotStore;
import org.mirrordirector.sync.SyncAgent;
import org.mirrordirector.sync.SyncConfig;
import org.mirrordirector.sync.SyncOutcome;
import org.mirrordirector.sync.SyncReport;
import org.mirrordirector.sync.SyncService;
import org.mirrordirector.sync.SyncStats;
import org.mirrordirector.sync.archive.Sha1Policy;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.net.OutboundHttp;
import org.mirrordirector.sync.probe.LocalSnapshots;
import org.mirrordirector.sync.probe.MirrorProber;
import org.mirrordirector.sync.probe.ProbeConfig;
import org.mirrordirector.sync.probe.ProbeService;
import org.mirrordirector.sync.probe.ReachSettings;
import org.mirrordirector.sync.probe.ReachWatch;
import org.mirrordirector.sync.probe.SnapshotLearner;
import org.mirrordirector.sync.probe.TlsCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One archive of a node, synced, verified, published, probed and routed on its own: its sync agent
 * and service, its view of the registry (its own mirrors, snapshots and current one), what its
 * director knows of its files, and its prober. The node shares ZooKeeper, the leadership, the rsync
 * daemon and the HTTP server among its archives.
 */
public final class ArchiveStack {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveStack.class);

  public final ArchiveSection section;
  public final boolean first;
  public final RegistryPaths paths;
  public final RegistryReader reader;
  public final TrustedKeys keys;
  public final SyncAgent agent;
  public final KnowledgeKeeper files;
  public final SyncService sync;

  /** The prober; null on a replica, which never probes (only the active node does). */
  public final ProbeService probes;

  /** The quick check; null on a replica and when probe.reach-interval is 0s. */
  public final ReachWatch reach;

  public final Local local;
  public volatile long lastSyncAt;
  public volatile long lastPublishedAt;

  /**
   * @param leadership the node's, or null on a replica: it copies the indexes alone from the active
   *     node, writes nothing to the registry and probes nothing
   * @param reader the first archive's view (the node's), or null to open this archive's own
   * @param opened where every part that must be closed is added, in start order
   * @param onReport hears each sync's report, after this stack has learned from it
   */
  public ArchiveStack(
      NodeConfig config,
      ArchiveSection a,
      boolean first,
      CuratorFramework client,
      Leadership leadership,
      RegistryPaths base,
      RegistryReader reader,
      List<AutoCloseable> opened,
      HappyEyeballs eyeballs,
      java.util.function.BiConsumer<ArchiveStack, SyncReport> onReport)
      throws IOException {
    this.section = a;
    this.first = first;
    String id = config.node().id();
    Path data = config.node().data();
    this.paths = first ? base : base.forArchive(a.name());
    if (reader == null) {
      reader =
          new RegistryReader(
              client, paths, data.resolve("registry-view-" + a.name() + ".json"), id);
      opened.add(reader);
    }
    this.reader = reader;
    try {
      this.keys =
          TrustedKeys.load(
              a.keyring(),
              a.fingerprints(),
              a.sha1Bindings() ? Sha1Policy.ALLOW_FOR_BINDINGS : Sha1Policy.REJECT);
    } catch (org.mirrordirector.sync.archive.KeyringException e) {
      throw new IOException("archive " + a.name() + ": " + e.getMessage(), e);
    }
    SyncConfig sc =
        new SyncConfig(
            a.upstream(),
            first ? data.resolve("archive") : data.resolve("archives").resolve(a.name()),
            a.suites(),
            id.replace('_', '-'),
            a.keep(),
            a.rsyncTimeout(),
            "rsync",
            Clock.systemUTC(),
            Duration.ofSeconds(60),
            10,
            a.rsyncArgs(),
            a.rehashPeriod(),
            a.minFreeBytes(),
            a.selection());
    boolean replica = leadership == null;
    agent = new SyncAgent(sc.withIndexesOnly(replica), keys, eyeballs);
    SnapshotStore store = agent.store();
    Files.createDirectories(store.root());
    this.local = new Local(store);
    ProbeSection p = config.probe();
    // One learner for the prober and the director: a snapshot the prober learns from a mirror that
    // is ahead of this node is known to the director at once.
    SnapshotLearner learner =
        new SnapshotLearner(keys, p.timeout(), 4, Duration.ofSeconds(5), null, eyeballs);
    opened.add(learner);
    RegistryReader view = this.reader;
    files =
        new KnowledgeKeeper(
            a.suites(), FileKnowledge.load(store.list(), a.suites()), learner, view::view);
    opened.add(files);
    // The upstream's new indexes arrive long before its pool: learn the snapshot from them.
    agent.onNewIndexes(tree -> files.learnFromTree(tree, keys));
    String module = first ? null : a.name();
    sync =
        new SyncService(
            agent,
            replica
                ? HotSpareUpstream.forReplica(a.upstream(), id, view::view, module)
                : new HotSpareUpstream(a.upstream(), leadership, view::view, module),
            a.syncInterval());
    opened.add(sync);
    // The director must know a snapshot's files before the registry routes clients to it.
    sync.addListener(this::learn);
    if (!replica) {
      sync.addListener(
          new SnapshotRecorder(leadership, paths, store, a.suites(), Clock.systemUTC()));
    }
    sync.addListener(
        r -> {
          lastSyncAt = System.currentTimeMillis();
          if (r.outcome() == SyncOutcome.PUBLISHED) {
            lastPublishedAt = lastSyncAt;
          }
          onReport.accept(this, r);
        });
    if (replica) {
      // A new active node (or a new snapshot of it) is in the view: look at once.
      view.addListener(v -> sync.lookSoon(), Runnable::run);
      probes = null;
      reach = null;
      return;
    }
    // A role change changes what to copy from: look at once (never block the listener).
    leadership.addListener((from, to, epoch) -> sync.lookSoon(), Runnable::run);

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
            suite -> sync.lookSoon(),
            eyeballs);
    probes =
        new ProbeService(
            prober,
            leadership,
            paths,
            view::view,
            new LocalSnapshots(store, a.suites()).supplier(),
            Clock.systemUTC());
    opened.add(probes);
    reach =
        p.reachInterval().isZero() ? null : quickCheck(p, a, leadership, eyeballs, probes, opened);
    // A mirror added (mirrors add) is probed at once, not at the next full round: an enabled
    // mirror without a state has never been probed, and a recheck probes such a mirror fully.
    ProbeService p0 = probes;
    view.addListener(
        v -> {
          for (MirrorView m : v.mirrors().values()) {
            if (m.config().enabled() && m.state() == null) {
              p0.recheckSoon();
              return;
            }
          }
        },
        Runnable::run);
  }

  /**
   * The quick check of the public mirrors, for the active node: one that stops answering is out of
   * routing at once, and a recheck confirms it DOWN. Https-only mirrors are asked with a GET of
   * their own (the same first 4 KiB) (no redirect followed: any answer below 500 is one).
   */
  private ReachWatch quickCheck(
      ProbeSection p,
      ArchiveSection a,
      Leadership leadership,
      HappyEyeballs eyeballs,
      ProbeService probes,
      List<AutoCloseable> opened)
      throws IOException {
    OutboundHttp tls =
        new OutboundHttp(
            "reach-check-https", eyeballs, p.timeout(), null, false, "mirrordirector-reach-check");
    opened.add(tls);
    ReachWatch w =
        new ReachWatch(
            new ReachSettings(p.reachInterval(), p.reachTimeout(), p.timeout()),
            eyeballs,
            TlsCheck.over(tls),
            leadership,
            paths,
            reader::view,
            a.suites(),
            p.confirmations(),
            probes::recheckSoon,
            Clock.systemUTC());
    opened.add(w);
    return w;
  }

  public String name() {
    return section.name();
  }

  public ClusterView view() {
    return reader.view();
  }

  /** What the node does for this archive when a client asks for a file it cannot place. */
  public CatchUp catchUp() {
    return new CatchUp() {
      @Override
      public void lookNow() {
        if (probes != null) {
          probes.recheckSoon();
        }
        sync.lookSoon();
      }

      @Override
      public boolean catchingUp() {
        SyncStats st = sync.stats();
        return st.running() || st.queued() || files.behind();
      }
    };
  }

  /** Starts the parts that run on their own (the view first: the others read it). */
  public void start(ProbeSection p, boolean startReader) {
    if (startReader) {
      reader.start();
    }
    if (probes != null) {
      probes.start(p.interval(), p.recheckInterval());
    }
    if (reach != null) {
      reach.start();
      // A mirror added, drained or enabled is checked (or not) at once, not at the next second.
      reader.addListener(v -> reach.refresh(), Runnable::run);
    }
    files.start(Duration.ofSeconds(1));
    sync.start();
  }

  /** The registry id of this archive's current snapshot, if it has one. */
  public Optional<String> currentSnapshot() throws IOException {
    return currentSnapshotId(agent.store(), section.suites());
  }

  /** Reads a new snapshot's file sets (the kept ones are reused). */
  private void learn(SyncReport r) {
    if (r.outcome() != SyncOutcome.PUBLISHED) {
      return;
    }
    try {
      files.refreshLocal(agent.store().list());
    } catch (IOException e) {
      LOG.error("[{}] cannot read the new snapshot's file sets", section.name(), e);
    }
  }

  /** The snapshots this archive serves files from: the current one, and every kept one. */
  public static final class Local implements LocalTree {
    private final SnapshotStore store;

    public Local(SnapshotStore store) {
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

  /** The registry id of the current snapshot, from its InRelease files. */
  private static Optional<String> currentSnapshotId(SnapshotStore store, List<String> suites)
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
}
