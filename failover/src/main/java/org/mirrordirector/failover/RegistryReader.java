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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ClusterView} of the registry up to date from a CuratorCache, swaps it in
 * atomically, and saves it to disk as last-known-good, so that a director starts and keeps serving
 * without ZooKeeper. Corrupt payloads are reported in the view and skipped. Listeners run on the
 * executor given with them and see every view at most once, in order, but may miss intermediate
 * ones when changes come fast.
 *
 * <p>The routing part of the view (mirrors, snapshots, the current one, the epoch) is rebuilt only
 * when one of its znodes changes, and keeps its identity otherwise. A node's heartbeat renews only
 * the nodes' part, and that renewal calls no listener and saves nothing; another archive's znodes
 * and the leader latch change nothing at all. With N nodes writing heartbeats, N readers would
 * otherwise decode the whole registry N times a second each.
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
  // Written and read on the rebuilder thread only (the cache's listener runs there too).
  private boolean routingDirty;
  private boolean presenceDirty;
  private boolean presenceMaterial;
  private Routing routing;
  private Presence presence;
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong routingRebuilds = new AtomicLong();
  private final AtomicLong presenceUpdates = new AtomicLong();
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
                .forAll((type, oldData, data) -> changed(oldData, data))
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
    return view.get().source() == ViewSource.LIVE;
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
    if (v.connected() != connected && v.source() != ViewSource.EMPTY) {
      publish(v.with(v.source(), connected, generation.incrementAndGet()));
    }
    LOG.info(
        "[{}] ZooKeeper connection {}; serving view generation {} ({})",
        name,
        state,
        v.generation(),
        v.source());
  }

  /**
   * Notes what one znode change touches, on the rebuilder thread, in the order ZooKeeper sent them.
   * A change of another archive, of the leader latch, or of a node's heartbeat alone does not
   * rebuild this archive's routing: with every node writing its heartbeat each second, N nodes and
   * N readers would otherwise decode the whole registry N x N times a second.
   */
  private void changed(ChildData before, ChildData after) {
    events.incrementAndGet();
    ChildData d = after != null ? after : before;
    switch (part(d.getPath())) {
      case ROUTING -> routingDirty = true;
      case PRESENCE -> {
        presenceDirty = true;
        if (!onlyHeartbeat(before, after)) {
          presenceMaterial = true;
        }
      }
      case NONE -> {
        return;
      }
    }
    scheduleRebuild();
  }

  /** What part of this reader's view a znode feeds. */
  private enum Part {
    ROUTING,
    PRESENCE,
    NONE
  }

  private Part part(String path) {
    String root = paths.root();
    if (!path.startsWith(root + "/")) {
      return Part.NONE;
    }
    String first = path.substring(root.length() + 1).split("/", 2)[0];
    switch (first) {
      case "epoch":
        return Part.ROUTING;
      case "nodes":
      case "drills":
        return Part.PRESENCE;
      default:
        break;
    }
    String scope = paths.archiveRoot();
    if (scope.equals(root)) {
      return first.equals("archives") || first.equals("leader") ? Part.NONE : Part.ROUTING;
    }
    return path.startsWith(scope + "/") ? Part.ROUTING : Part.NONE;
  }

  /** True when a node's znode changed in its heartbeat and nothing else. */
  private boolean onlyHeartbeat(ChildData before, ChildData after) {
    if (before == null || after == null || !after.getPath().startsWith(paths.root() + "/nodes/")) {
      return false;
    }
    try {
      NodeInfo a = RegistryCodec.decode(before.getPath(), before.getData(), NodeInfo.class);
      NodeInfo b = RegistryCodec.decode(after.getPath(), after.getData(), NodeInfo.class);
      return a.withHeartbeat(0).equals(b.withHeartbeat(0));
    } catch (CorruptPayloadException e) {
      return false;
    }
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

  /** What a view routes by: rebuilt only when one of its znodes changed. */
  private record Routing(
      long epoch,
      String leader,
      Map<String, MirrorView> mirrors,
      Map<String, SnapshotRecord> snapshots,
      CurrentSnapshot current,
      List<String> problems) {}

  /** Who is there: nodes and drills, cheap to read again on every change of theirs. */
  private record Presence(
      Map<String, NodeInfo> nodes, List<DrillRecord> drills, List<String> problems) {}

  private void rebuild() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      return;
    }
    boolean routingChanged = routingDirty || routing == null;
    boolean material = presenceMaterial || presence == null;
    if (!routingChanged && !presenceDirty) {
      return;
    }
    routingDirty = false;
    presenceDirty = false;
    presenceMaterial = false;
    if (routingChanged) {
      routing = readRouting();
      routingRebuilds.incrementAndGet();
    } else {
      presenceUpdates.incrementAndGet();
    }
    presence = readPresence();
    List<String> problems = new ArrayList<>(routing.problems());
    problems.addAll(presence.problems());
    problems.sort(null);
    ClusterView v =
        new ClusterView(
            generation.incrementAndGet(),
            ViewSource.LIVE,
            client.getZookeeperClient().isConnected(),
            System.currentTimeMillis(),
            routing.epoch(),
            routing.leader(),
            presence.nodes(),
            routing.mirrors(),
            routing.snapshots(),
            routing.current(),
            presence.drills(),
            problems);
    List<String> before = view.get().problems();
    for (String p : problems) {
      if (!before.contains(p)) {
        LOG.warn("[{}] registry: skipped {}", name, p);
      }
    }
    if (!routingChanged && !material) {
      // A heartbeat: the view is replaced (its ages are read from it) but nothing that routes or
      // that a listener acts on changed, so listeners are not called and nothing is saved.
      view.set(v);
      return;
    }
    publish(v);
    saveLastKnownGood(v);
  }

  /** The znodes of this archive's mirrors, snapshots and current one, and the epoch. */
  private Routing readRouting() {
    Map<String, MirrorConfig> configs = new HashMap<>();
    Map<String, MirrorState> states = new HashMap<>();
    Map<String, Unreachable> unreachable = new HashMap<>();
    Map<String, SnapshotRecord> snapshots = new HashMap<>();
    List<String> problems = new ArrayList<>();
    CurrentSnapshot current = null;
    long epoch = 0;
    String leader = null;
    for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
      String path = d.getPath();
      String[] p = relative(path, Part.ROUTING);
      if (p == null) {
        continue;
      }
      try {
        if (p.length == 1 && p[0].equals("epoch")) {
          epoch = d.getStat().getVersion();
          if (d.getData() != null && d.getData().length > 0) {
            leader = RegistryCodec.decode(path, d.getData(), EpochRecord.class).leader();
          }
        } else if (p.length == 2 && p[0].equals("mirrors")) {
          MirrorConfig m = RegistryCodec.decode(path, d.getData(), MirrorConfig.class);
          check(path, m.id(), p[1]);
          configs.put(m.id(), m);
        } else if (p.length == 3 && p[0].equals("mirrors") && p[2].equals("state")) {
          MirrorState s = RegistryCodec.decode(path, d.getData(), MirrorState.class);
          check(path, s.mirror(), p[1]);
          states.put(s.mirror(), s);
        } else if (p.length == 3 && p[0].equals("mirrors") && p[2].equals("reach")) {
          Unreachable u = RegistryCodec.decode(path, d.getData(), Unreachable.class);
          check(path, u.mirror(), p[1]);
          unreachable.put(u.mirror(), u);
        } else if (p.length == 2 && p[0].equals("snapshots")) {
          SnapshotRecord s = RegistryCodec.decode(path, d.getData(), SnapshotRecord.class);
          check(path, s.id(), p[1]);
          snapshots.put(s.id(), s);
        } else if (p.length == 2 && p[0].equals("archive") && p[1].equals("current")) {
          current = RegistryCodec.decode(path, d.getData(), CurrentSnapshot.class);
        }
      } catch (CorruptPayloadException e) {
        problems.add(e.getMessage());
      }
    }
    Map<String, MirrorView> mirrors = new HashMap<>();
    for (MirrorConfig c : configs.values()) {
      mirrors.put(c.id(), new MirrorView(c, states.get(c.id()), unreachable.get(c.id())));
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
    return new Routing(
        epoch, leader, Map.copyOf(mirrors), Map.copyOf(snapshots), current, List.copyOf(problems));
  }

  /** The nodes' and drills' znodes (shared by every archive). */
  private Presence readPresence() {
    Map<String, NodeInfo> nodes = new HashMap<>();
    List<DrillRecord> drills = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
      String path = d.getPath();
      String[] p = relative(path, Part.PRESENCE);
      if (p == null || p.length != 2) {
        continue;
      }
      try {
        if (p[0].equals("nodes")) {
          NodeInfo n = RegistryCodec.decode(path, d.getData(), NodeInfo.class);
          check(path, n.id(), p[1]);
          nodes.put(n.id(), n);
        } else {
          DrillRecord r = RegistryCodec.decode(path, d.getData(), DrillRecord.class);
          check(path, r.id(), p[1]);
          drills.add(r);
        }
      } catch (CorruptPayloadException e) {
        problems.add(e.getMessage());
      }
    }
    drills.sort(Comparator.comparingLong(DrillRecord::startedAtMillis));
    return new Presence(nodes, drills, problems);
  }

  /**
   * The path's parts under the root, or under this archive's own root for its mirrors, snapshots
   * and current one; null when the znode does not feed {@code part} of this reader's view.
   */
  private String[] relative(String path, Part part) {
    if (part(path) != part) {
      return null;
    }
    String root = paths.root();
    String scope = paths.archiveRoot();
    String base = part == Part.ROUTING && !path.equals(root + "/epoch") ? scope : root;
    return path.substring(base.length() + 1).split("/");
  }

  /** Znode changes seen (of this reader's archive or of another). */
  public long events() {
    return events.get();
  }

  /** Views rebuilt because something that routes changed (or the first one). */
  public long routingRebuilds() {
    return routingRebuilds.get();
  }

  /** Views renewed for the nodes and drills alone, routing kept as it was. */
  public long presenceUpdates() {
    return presenceUpdates.get();
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
      ClusterView stored = v.with(ViewSource.LAST_KNOWN_GOOD, false, 0);
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
      view.set(v.with(ViewSource.LAST_KNOWN_GOOD, false, generation.incrementAndGet()));
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
