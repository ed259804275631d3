package org.mirrordirector.failover;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.mirrordirector.failover.Payloads.CurrentSnapshot;
import org.mirrordirector.failover.Payloads.DrillRecord;
import org.mirrordirector.failover.Payloads.EpochRecord;
import org.mirrordirector.failover.Payloads.MirrorConfig;
import org.mirrordirector.failover.Payloads.MirrorState;
import org.mirrordirector.failover.Payloads.NodeInfo;
import org.mirrordirector.failover.Payloads.SnapshotRecord;
import org.mirrordirector.failover.RegistryCodec.CorruptPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ClusterView} of the registry up to date from a CuratorCache, swaps it in
 * atomically, and saves it to disk as last-known-good, so that a director starts and keeps serving
 * without ZooKeeper. Corrupt payloads are reported in the view and skipped. Listeners run on the
 * executor given with them and see every view at most once, in order, but may miss intermediate
 * ones when changes come fast.
 */
public final class RegistryReader implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryReader.class);

  private enum Lifecycle {
    LATENT,
    STARTED,
    CLOSED
  }

  private record Registered(
      Consumer<ClusterView> listener, java.util.concurrent.Executor executor) {}

  private final CuratorFramework client;
  private final RegistryPaths paths;
  private final Path lastKnownGood;
  private final String name;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.LATENT);
  private final AtomicReference<ClusterView> view = new AtomicReference<>(ClusterView.empty());
  private final AtomicLong generation = new AtomicLong();
  private final AtomicBoolean rebuildPending = new AtomicBoolean();
  private final List<Registered> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService rebuilder;
  private final CuratorCache cache;
  private final ConnectionStateListener connectionListener = this::connectionChanged;
  private volatile boolean initialized;
  private volatile String savedJson;

  /**
   * @param lastKnownGood the file to keep the last view in; null to keep none
   * @param name the identity that starts every log line (the node id)
   */
  public RegistryReader(
      CuratorFramework client, RegistryPaths paths, Path lastKnownGood, String name) {
    this.client = Objects.requireNonNull(client, "client");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.lastKnownGood = lastKnownGood;
    this.name = name;
    this.rebuilder =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "registry-view-" + name);
              t.setDaemon(true);
              return t;
            });
    this.cache = CuratorCache.build(client, paths.root());
  }

  /** Loads the last-known-good view, then starts following ZooKeeper. Call once. */
  public void start() {
    if (!lifecycle.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
      throw new IllegalStateException("RegistryReader can be started only once");
    }
    loadLastKnownGood();
    client.getConnectionStateListenable().addListener(connectionListener, rebuilder);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> scheduleRebuild())
                .forInitialized(
                    () -> {
                      initialized = true;
                      scheduleRebuild();
                    })
                .build(),
            rebuilder);
    cache.start();
  }

  /** The current view: never null, never changing under the caller. */
  public ClusterView view() {
    return view.get();
  }

  /** True once the view reflects ZooKeeper (not only the last-known-good file). */
  public boolean isLive() {
    return view.get().source() == ClusterView.Source.LIVE;
  }

  /** Calls {@code listener} on {@code executor} with each new view. */
  public void addListener(Consumer<ClusterView> listener, java.util.concurrent.Executor executor) {
    listeners.add(new Registered(listener, executor));
  }

  @Override
  public void close() {
    if (lifecycle.getAndSet(Lifecycle.CLOSED) != Lifecycle.STARTED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(connectionListener);
    cache.close();
    rebuilder.shutdownNow();
  }

  private void connectionChanged(CuratorFramework c, ConnectionState state) {
    boolean connected = state.isConnected();
    ClusterView v = view.get();
    if (v.connected() != connected && v.source() != ClusterView.Source.EMPTY) {
      publish(v.with(v.source(), connected, generation.incrementAndGet()));
    }
    LOG.info(
        "[{}] ZooKeeper connection {}; serving view generation {} ({})",
        name,
        state,
        v.generation(),
        v.source());
  }

  private void scheduleRebuild() {
    if (initialized && rebuildPending.compareAndSet(false, true)) {
      rebuilder.execute(
          () -> {
            rebuildPending.set(false);
            rebuild();
          });
    }
  }

  private void rebuild() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      return;
    }
    String root = paths.root();
    Map<String, NodeInfo> nodes = new HashMap<>();
    Map<String, MirrorConfig> configs = new HashMap<>();
    Map<String, MirrorState> states = new HashMap<>();
    Map<String, SnapshotRecord> snapshots = new HashMap<>();
    List<DrillRecord> drills = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    CurrentSnapshot current = null;
    long epoch = 0;
    String leader = null;
    for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
      String path = d.getPath();
      if (!path.startsWith(root + "/")) {
        continue;
      }
      String[] p = path.substring(root.length() + 1).split("/");
      String scope = paths.archiveRoot();
      // This archive's own mirrors, snapshots and current one; another archive's are skipped.
      String[] own =
          path.startsWith(scope + "/") ? path.substring(scope.length() + 1).split("/") : null;
      if (!scope.equals(root)) {
        boolean shared = p[0].equals("epoch") || p[0].equals("nodes") || p[0].equals("drills");
        if (!shared && own == null) {
          continue;
        }
        if (!shared) {
          p = own;
        }
      } else if (p[0].equals("archives")) {
        continue;
      }
      try {
        if (p.length == 1 && p[0].equals("epoch")) {
          epoch = d.getStat().getVersion();
          if (d.getData() != null && d.getData().length > 0) {
            leader = RegistryCodec.decode(path, d.getData(), EpochRecord.class).leader();
          }
        } else if (p.length == 2 && p[0].equals("nodes")) {
          NodeInfo n = RegistryCodec.decode(path, d.getData(), NodeInfo.class);
          check(path, n.id(), p[1]);
          nodes.put(n.id(), n);
        } else if (p.length == 2 && p[0].equals("mirrors")) {
          MirrorConfig m = RegistryCodec.decode(path, d.getData(), MirrorConfig.class);
          check(path, m.id(), p[1]);
          configs.put(m.id(), m);
        } else if (p.length == 3 && p[0].equals("mirrors") && p[2].equals("state")) {
          MirrorState s = RegistryCodec.decode(path, d.getData(), MirrorState.class);
          check(path, s.mirror(), p[1]);
          states.put(s.mirror(), s);
        } else if (p.length == 2 && p[0].equals("snapshots")) {
          SnapshotRecord s = RegistryCodec.decode(path, d.getData(), SnapshotRecord.class);
          check(path, s.id(), p[1]);
          snapshots.put(s.id(), s);
        } else if (p.length == 2 && p[0].equals("archive") && p[1].equals("current")) {
          current = RegistryCodec.decode(path, d.getData(), CurrentSnapshot.class);
        } else if (p.length == 2 && p[0].equals("drills")) {
          DrillRecord r = RegistryCodec.decode(path, d.getData(), DrillRecord.class);
          check(path, r.id(), p[1]);
          drills.add(r);
        }
      } catch (CorruptPayloadException e) {
        problems.add(e.getMessage());
      }
    }
    Map<String, ClusterView.Mirror> mirrors = new HashMap<>();
    for (MirrorConfig c : configs.values()) {
      mirrors.put(c.id(), new ClusterView.Mirror(c, states.get(c.id())));
    }
    for (String orphan : states.keySet()) {
      if (!configs.containsKey(orphan)) {
        problems.add(paths.mirrorState(orphan) + ": state of a mirror that has no configuration");
      }
    }
    if (current != null && !snapshots.containsKey(current.snapshot())) {
      problems.add(
          paths.current()
              + ": points at snapshot "
              + current.snapshot()
              + ", which is not registered");
    }
    drills.sort(Comparator.comparingLong(DrillRecord::startedAtMillis));
    problems.sort(null);
    ClusterView v =
        new ClusterView(
            generation.incrementAndGet(),
            ClusterView.Source.LIVE,
            client.getZookeeperClient().isConnected(),
            System.currentTimeMillis(),
            epoch,
            leader,
            nodes,
            mirrors,
            snapshots,
            current,
            drills,
            problems);
    List<String> before = view.get().problems();
    for (String p : problems) {
      if (!before.contains(p)) {
        LOG.warn("[{}] registry: skipped {}", name, p);
      }
    }
    publish(v);
    saveLastKnownGood(v);
  }

  private static void check(String path, String inPayload, String inPath)
      throws CorruptPayloadException {
    if (!inPayload.equals(inPath)) {
      throw new CorruptPayloadException(
          path + ": payload names '" + inPayload + "', not '" + inPath + "'", null);
    }
  }

  private void publish(ClusterView v) {
    view.set(v);
    for (Registered r : listeners) {
      r.executor()
          .execute(
              () -> {
                try {
                  r.listener().accept(v);
                } catch (RuntimeException e) {
                  LOG.error("[{}] a registry listener failed", name, e);
                }
              });
    }
  }

  private void saveLastKnownGood(ClusterView v) {
    if (lastKnownGood == null) {
      return;
    }
    try {
      ClusterView stored = v.with(ClusterView.Source.LAST_KNOWN_GOOD, false, 0);
      String json = RegistryCodec.json().writeValueAsString(stored);
      if (json.equals(savedJson)) {
        return;
      }
      Files.createDirectories(lastKnownGood.toAbsolutePath().getParent());
      Path tmp = lastKnownGood.resolveSibling(lastKnownGood.getFileName() + ".tmp");
      Files.writeString(tmp, json);
      try {
        Files.move(
            tmp,
            lastKnownGood,
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, lastKnownGood, StandardCopyOption.REPLACE_EXISTING);
      }
      savedJson = json;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "[{}] cannot save the last-known-good view to {}: {}", name, lastKnownGood, e.toString());
    }
  }

  private void loadLastKnownGood() {
    if (lastKnownGood == null) {
      return;
    }
    try {
      String json = Files.readString(lastKnownGood);
      ClusterView v = RegistryCodec.json().readValue(json, ClusterView.class);
      view.set(v.with(ClusterView.Source.LAST_KNOWN_GOOD, false, generation.incrementAndGet()));
      savedJson = json;
      LOG.info(
          "[{}] serving the last-known-good view from {} until ZooKeeper answers",
          name,
          lastKnownGood);
    } catch (NoSuchFileException e) {
      LOG.info("[{}] no last-known-good view at {}", name, lastKnownGood);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "[{}] ignoring the unreadable last-known-good view {}: {}",
          name,
          lastKnownGood,
          e.toString());
    }
  }
}
