package org.mirrordirector.failover;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.mirrordirector.failover.Payloads.EpochRecord;
import org.mirrordirector.failover.Payloads.NodeInfo;
import org.mirrordirector.failover.Payloads.Role;
import org.mirrordirector.failover.RegistryCodec.CorruptPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in active/standby leadership, over a Curator {@link LeaderLatch}.
 *
 * <ul>
 *   <li>Elected: the node increments the epoch by compare-and-set (the epoch is the version of the
 *       epoch znode) in a transaction that also checks its latch node, then becomes ACTIVE.
 *   <li>SUSPENDED: NEUTRAL at once, before the server can expire the session. RECONNECTED in the
 *       same session, still first in the latch and with the epoch unchanged: ACTIVE again, same
 *       epoch, nothing reloaded.
 *   <li>LOST, lost leadership, or fenced out: STANDBY; after LOST or a fence the latch is closed
 *       and a new one joins after a backoff.
 * </ul>
 *
 * {@link #isServingAsLeader()} is true only while ACTIVE and the last round trip to ZooKeeper in
 * the leader's own session is younger than a third of the negotiated session timeout (monotonic
 * clock). Every shared write goes through {@link #write}, a ZooKeeper multi that checks the epoch
 * first: a stale leader's write fails and demotes it. All state changes happen on one thread of
 * this object; listeners run on their own executors.
 */
public final class Leadership implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
  private static final long HEARTBEAT_EVERY_MILLIS = 1000;

  private enum Lifecycle {
    LATENT,
    STARTED,
    CLOSED
  }

  /** A reading for metrics and the status page. */
  public record Metrics(
      String node,
      Role role,
      long epoch,
      int negotiatedSessionTimeoutMs,
      long millisSinceContact,
      long leadershipChanges,
      boolean servingAsLeader) {}

  private record Registered(LeadershipListener listener, Executor executor) {}

  private final CuratorFramework client;
  private final RegistryPaths paths;
  private final LeadershipConfig config;
  private final String id;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.LATENT);
  private final ScheduledExecutorService events;
  private final ScheduledExecutorService contact;
  private final ExecutorService hooks;
  private final List<Registered> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong changes = new AtomicLong();
  private final ConnectionStateListener connectionListener;

  private volatile Role role = Role.STANDBY;
  private volatile long epoch;
  private volatile long leaderSession;
  private volatile long lastContactNanos;
  private volatile long lastContactSession = -1;
  private volatile int negotiatedMs;
  private volatile boolean loggedNegotiation;
  private volatile NodeInfo nodeInfo;
  private volatile long electedAtNanos;
  private volatile long activeAtNanos;
  private long lastHeartbeatMillis;

  // Touched only on the events thread.
  private LeaderLatch latch;
  private PersistentNode nodeZnode;

  public Leadership(CuratorFramework client, RegistryPaths paths, LeadershipConfig config) {
    this.client = Objects.requireNonNull(client, "client");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.config = Objects.requireNonNull(config, "config");
    this.id = config.nodeId();
    this.events = Executors.newSingleThreadScheduledExecutor(daemon("leadership-" + id));
    this.contact = Executors.newSingleThreadScheduledExecutor(daemon("zk-contact-" + id));
    this.hooks = Executors.newSingleThreadExecutor(daemon("leadership-hooks-" + id));
    this.connectionListener = (c, state) -> connectionChanged(state);
    this.negotiatedMs = (int) config.sessionTimeout().toMillis();
    this.nodeInfo =
        new NodeInfo(
            id, config.address(), Role.STANDBY, 0, false, System.currentTimeMillis(), null, null);
  }

  /** Registers this node and stands for election. Call once. */
  public void start() {
    if (!lifecycle.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
      throw new IllegalStateException("Leadership can be started only once");
    }
    client.getConnectionStateListenable().addListener(connectionListener, events);
    events.execute(
        () -> {
          nodeZnode =
              new PersistentNode(
                  client,
                  CreateMode.EPHEMERAL,
                  false,
                  paths.node(id),
                  RegistryCodec.encode(nodeInfo));
          nodeZnode.start();
          joinElection();
        });
    long every = config.contactInterval().toMillis();
    contact.scheduleWithFixedDelay(this::roundTrip, 0, every, TimeUnit.MILLISECONDS);
    LOG.info(
        "[{}] standing for election under {} (session timeout {} ms requested)",
        id,
        paths.root(),
        config.sessionTimeout().toMillis());
  }

  /** Gives up leadership (if held) and stands again after the rejoin backoff: a clean handover. */
  public void relinquish() {
    events.execute(
        () -> {
          LOG.info("[{}] relinquishing leadership (epoch {})", id, epoch);
          leaveElection();
          setRole(Role.STANDBY, "relinquished");
          scheduleRejoin();
        });
  }

  /** Leaves the election and deregisters; the ZooKeeper client stays open (it is the caller's). */
  @Override
  public void close() {
    if (lifecycle.getAndSet(Lifecycle.CLOSED) != Lifecycle.STARTED) {
      return;
    }
    client.getConnectionStateListenable().removeListener(connectionListener);
    contact.shutdownNow();
    try {
      events
          .submit(
              () -> {
                leaveElection();
                setRole(Role.STANDBY, "closed");
                if (nodeZnode != null) {
                  try {
                    nodeZnode.close();
                  } catch (java.io.IOException e) {
                    LOG.warn("[{}] cannot remove the node znode: {}", id, e.toString());
                  }
                }
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("[{}] leaving the election did not finish cleanly: {}", id, e.toString());
    }
    events.shutdown();
    hooks.shutdown();
    try {
      if (!hooks.awaitTermination(config.hookTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        hooks.shutdownNow();
      }
      events.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("[{}] left the election", id);
  }

  public void addListener(LeadershipListener listener, Executor executor) {
    listeners.add(new Registered(listener, executor));
  }

  public String nodeId() {
    return id;
  }

  public Role role() {
    return role;
  }

  /** The epoch of the current term, or of the last one this node held; 0 before any. */
  public long epoch() {
    return epoch;
  }

  /**
   * True only when ACTIVE, connected, and the quorum leader answered this leader's session within
   * S/3. The session cannot expire by silence before S, so a node that stops here at S/3 has
   * stopped long before a successor can be elected. The connection check also ends the claim at
   * once when the server drops the connection (a session closed on the server).
   */
  public boolean isServingAsLeader() {
    if (role != Role.ACTIVE || lastContactSession != leaderSession) {
      return false;
    }
    if (System.nanoTime() - lastContactNanos >= TimeUnit.MILLISECONDS.toNanos(negotiatedMs) / 3) {
      return false;
    }
    try {
      ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
      return zk.getState().isConnected() && zk.getSessionId() == leaderSession;
    } catch (Exception e) {
      return false;
    }
  }

  /** When the latch last elected this node (System.nanoTime), for failover measurements. */
  long electedAtNanos() {
    return electedAtNanos;
  }

  /** When this node last became ACTIVE (System.nanoTime). */
  long activeAtNanos() {
    return activeAtNanos;
  }

  public Metrics metrics() {
    long since =
        lastContactSession == -1
            ? -1
            : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastContactNanos);
    return new Metrics(id, role, epoch, negotiatedMs, since, changes.get(), isServingAsLeader());
  }

  /** Records what this node reports about itself besides its role (readiness, snapshot). */
  public void setReady(boolean ready, String snapshot) {
    report(
        () -> {
          nodeInfo = nodeInfo.withReady(ready, snapshot);
          publishNodeInfo();
        });
  }

  /**
   * Runs a self-report on the events thread; after close it is dropped: a node that has left has
   * nothing to report (a sync finishing during the shutdown must not fail on it).
   */
  private void report(Runnable r) {
    if (lifecycle.get() == Lifecycle.CLOSED) {
      return;
    }
    try {
      events.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
      // closed between the check and the call: dropped likewise
    }
  }

  /** Records the rsync URL of this node's published tree, from which a hot spare copies. */
  public void setRsync(String url) {
    String checked = nodeInfo.withRsync(url).rsync(); // validates now, in the caller's thread
    report(
        () -> {
          nodeInfo = nodeInfo.withRsync(checked);
          publishNodeInfo();
        });
  }

  /**
   * Applies {@code ops} atomically, after checking that the epoch is still this node's. Throws
   * {@link FencedOutException} (and demotes this node) when another node was promoted since.
   */
  public List<CuratorTransactionResult> write(List<CuratorOp> ops) throws Exception {
    long e = epoch;
    if (role != Role.ACTIVE) {
      throw new FencedOutException("node " + id + " is " + role + ", not ACTIVE: it may not write");
    }
    return writeInEpoch(e, ops);
  }

  /**
   * The write as ZooKeeper judges it: {@code ops} apply only if the epoch is still {@code e}. A
   * thread that decided to write before a pause ends up here with a stale epoch; tests use it to
   * show that ZooKeeper, not the node's own belief, rejects the write.
   */
  List<CuratorTransactionResult> writeInEpoch(long e, List<CuratorOp> ops) throws Exception {
    List<CuratorOp> all = new ArrayList<>(ops.size() + 1);
    all.add(client.transactionOp().check().withVersion((int) e).forPath(paths.epoch()));
    all.addAll(ops);
    try {
      List<CuratorTransactionResult> results = client.transaction().forOperations(all);
      return results.subList(1, results.size());
    } catch (KeeperException ke) {
      List<OpResult> results = ke.getResults();
      boolean epochFailed =
          results != null
              && !results.isEmpty()
              && results.get(0) instanceof OpResult.ErrorResult er
              && er.getErr() != KeeperException.Code.OK.intValue();
      if (epochFailed || (results == null && ke.code() == KeeperException.Code.BADVERSION)) {
        events.execute(() -> fencedOut(e));
        throw new FencedOutException(
            "node "
                + id
                + " was fenced out: the epoch is no longer "
                + e
                + " (another node was promoted)");
      }
      throw ke;
    }
  }

  /** Builders for the operations of {@link #write}. */
  public CuratorFramework client() {
    return client;
  }

  // --- election (events thread) -----------------------------------------------------------

  private void joinElection() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      return;
    }
    latch = new LeaderLatch(client, paths.leaderLatch(), id, LeaderLatch.CloseMode.NOTIFY_LEADER);
    final LeaderLatch mine = latch;
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            if (mine == latch) {
              elected();
            }
          }

          @Override
          public void notLeader() {
            if (mine == latch) {
              unelected();
            }
          }
        },
        events);
    try {
      latch.start();
    } catch (Exception e) {
      LOG.error("[{}] cannot join the election: {}", id, e.toString());
      scheduleRejoin();
    }
  }

  private void leaveElection() {
    LeaderLatch l = latch;
    latch = null;
    if (l != null) {
      try {
        l.close();
      } catch (Exception e) {
        LOG.warn("[{}] closing the latch: {}", id, e.toString());
      }
    }
  }

  private void scheduleRejoin() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      return;
    }
    events.schedule(
        () -> {
          if (latch == null && lifecycle.get() == Lifecycle.STARTED) {
            joinElection();
          }
        },
        config.rejoinBackoff().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void elected() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      return;
    }
    electedAtNanos = System.nanoTime();
    try {
      ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
      long session = zk.getSessionId();
      if (role == Role.NEUTRAL && session == leaderSession) {
        Stat st = client.checkExists().forPath(paths.epoch());
        if (st != null && st.getVersion() == epoch) {
          setRole(Role.ACTIVE, "reconnected in the same session, still leader");
          return;
        }
      }
      promote(session);
    } catch (Exception e) {
      LOG.error("[{}] elected, but the promotion failed: {}; standing again", id, e.toString());
      leaveElection();
      setRole(Role.STANDBY, "promotion failed");
      scheduleRejoin();
    }
  }

  /** Increments the epoch by compare-and-set, checking that our latch node still stands. */
  private void promote(long session) throws Exception {
    String term = UUID.randomUUID().toString();
    for (int attempt = 1; attempt <= 5; attempt++) {
      LeaderLatch l = latch;
      if (l == null || !l.hasLeadership() || l.getOurPath() == null) {
        return;
      }
      Stat st = new Stat();
      try {
        client.getData().storingStatIn(st).forPath(paths.epoch());
      } catch (KeeperException.NoNodeException e) {
        try {
          client
              .create()
              .creatingParentContainersIfNeeded()
              .forPath(paths.epoch(), RegistryCodec.encode(new EpochRecord(null, 0, null)));
        } catch (KeeperException.NodeExistsException race) {
          // another node created it first: fine
        }
        continue;
      }
      byte[] data = RegistryCodec.encode(new EpochRecord(id, System.currentTimeMillis(), term));
      long sent = System.nanoTime();
      try {
        List<CuratorTransactionResult> r =
            client
                .transaction()
                .forOperations(
                    client.transactionOp().check().forPath(l.getOurPath()),
                    client
                        .transactionOp()
                        .setData()
                        .withVersion(st.getVersion())
                        .forPath(paths.epoch(), data));
        int version =
            r.stream()
                .filter(x -> x.getType() == OperationType.SET_DATA)
                .findFirst()
                .orElseThrow()
                .getResultStat()
                .getVersion();
        becomeActive(version, session, sent);
        return;
      } catch (KeeperException.BadVersionException e) {
        // Our own increment may have gone through before a connection loss hid the answer.
        Stat now = new Stat();
        byte[] current = client.getData().storingStatIn(now).forPath(paths.epoch());
        if (isOurs(current, term)) {
          becomeActive(now.getVersion(), session, sent);
          return;
        }
      } catch (KeeperException.NoNodeException e) {
        LOG.warn("[{}] our latch node vanished during promotion; standing again", id);
        return;
      }
    }
    throw new IllegalStateException("the epoch kept changing under five promotion attempts");
  }

  private boolean isOurs(byte[] data, String term) {
    try {
      return term.equals(RegistryCodec.decode(paths.epoch(), data, EpochRecord.class).term());
    } catch (CorruptPayloadException e) {
      return false;
    }
  }

  private void becomeActive(int version, long session, long sentNanos) {
    epoch = version;
    leaderSession = session;
    // The promotion transaction was itself a round trip in this session.
    lastContactNanos = sentNanos;
    lastContactSession = session;
    setRole(Role.ACTIVE, "elected, epoch " + version);
  }

  private void unelected() {
    boolean connected = client.getZookeeperClient().isConnected();
    if (role == Role.ACTIVE && !connected) {
      setRole(Role.NEUTRAL, "connection suspended");
    } else if (role != Role.STANDBY && connected) {
      setRole(Role.STANDBY, "lost leadership");
    }
  }

  private void fencedOut(long staleEpoch) {
    if (epoch == staleEpoch && role != Role.STANDBY) {
      LOG.warn("[{}] fenced out: epoch {} was superseded; stepping down", id, staleEpoch);
      leaveElection();
      setRole(Role.STANDBY, "fenced out");
      scheduleRejoin();
    }
  }

  private void connectionChanged(ConnectionState state) {
    switch (state) {
      case SUSPENDED -> {
        if (role == Role.ACTIVE) {
          setRole(Role.NEUTRAL, "connection suspended");
        }
      }
      case LOST -> {
        leaveElection();
        setRole(Role.STANDBY, "session lost");
        scheduleRejoin();
      }
      case RECONNECTED -> {
        // The latch says isLeader again if we still lead; if it does not, do not stay NEUTRAL.
        events.schedule(
            () -> {
              LeaderLatch l = latch;
              if (role == Role.NEUTRAL && (l == null || !l.hasLeadership())) {
                setRole(Role.STANDBY, "reconnected, no longer leader");
              }
            },
            Math.max(500, negotiatedMs / 2),
            TimeUnit.MILLISECONDS);
      }
      default -> {
        // CONNECTED, READ_ONLY: nothing to do
      }
    }
  }

  private void setRole(Role to, String why) {
    Role from = role;
    if (from == to) {
      return;
    }
    role = to;
    if (to == Role.ACTIVE) {
      activeAtNanos = System.nanoTime();
    }
    long e = epoch;
    changes.incrementAndGet();
    LOG.info("[{}] {} -> {} (epoch {}): {}", id, from, to, e, why);
    nodeInfo = nodeInfo.withRole(to, e);
    publishNodeInfo();
    for (Registered r : listeners) {
      r.executor().execute(() -> r.listener().roleChanged(from, to, e));
    }
    if (to == Role.ACTIVE) {
      hooks.execute(
          () -> CommandHook.run(config.onPromote(), id, to.name(), e, config.hookTimeout()));
    } else if (from == Role.ACTIVE) {
      hooks.execute(
          () -> CommandHook.run(config.onDemote(), id, to.name(), e, config.hookTimeout()));
    }
  }

  private void publishNodeInfo() {
    PersistentNode n = nodeZnode;
    if (n != null) {
      try {
        n.setData(RegistryCodec.encode(nodeInfo.withHeartbeat(System.currentTimeMillis())));
      } catch (Exception e) {
        LOG.debug("[{}] cannot update the node znode yet: {}", id, e.toString());
      }
    }
  }

  // --- contact (contact thread) -------------------------------------------------------------

  /**
   * One round trip to the quorum: a {@code sync}, which the server forwards to the quorum leader,
   * which checks the session. A plain read would not do: a follower cut off from the leader still
   * answers reads, while the leader lets the session expire (the fault loop found exactly that). It
   * counts only if the session did not change during it; its time is when it was sent.
   */
  private void roundTrip() {
    try {
      ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
      long session = zk.getSessionId();
      long sent = System.nanoTime();
      CompletableFuture<Integer> done = new CompletableFuture<>();
      zk.sync("/", (rc, path, ctx) -> done.complete(rc), null);
      int rc = done.get(Math.max(100, negotiatedMs / 3), TimeUnit.MILLISECONDS);
      if (rc == KeeperException.Code.OK.intValue()
          && zk.getSessionId() == session
          && session != 0) {
        lastContactNanos = sent;
        lastContactSession = session;
        int t = zk.getSessionTimeout();
        if (t > 0) {
          noteNegotiated(t);
        }
      }
      long now = System.currentTimeMillis();
      if (now - lastHeartbeatMillis >= HEARTBEAT_EVERY_MILLIS) {
        lastHeartbeatMillis = now;
        events.execute(this::publishNodeInfo);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // no contact this time; freshness runs out on its own
    }
  }

  private void noteNegotiated(int t) {
    int was = negotiatedMs;
    negotiatedMs = t;
    if (!loggedNegotiation || was != t) {
      loggedNegotiation = true;
      long asked = config.sessionTimeout().toMillis();
      if (t != asked) {
        LOG.warn(
            "[{}] ZooKeeper negotiated a session timeout of {} ms, not the {} ms asked for (the server clamps it to 2..20 ticks)",
            id,
            t,
            asked);
      } else {
        LOG.info("[{}] ZooKeeper session timeout {} ms", id, t);
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
