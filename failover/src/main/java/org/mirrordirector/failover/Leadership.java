package org.mirrordirector.failover;

import java.io.Closeable;
import java.util.List;
import java.util.Objects;
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
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.ZooKeeper;
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

  private enum Lifecycle {
    LATENT,
    STARTED,
    CLOSED
  }

  private record Registered(LeadershipListener listener, Executor executor) {}

  private final CuratorFramework client;
  private final RegistryPaths paths;
  private final LeadershipConfig config;
  private final String id;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.LATENT);
  private final ScheduledExecutorService events;
  private final QuorumContact contact;
  private final NodePresence presence;
  private final ExecutorService hooks;
  private final List<Registered> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong changes = new AtomicLong();
  private final ConnectionStateListener connectionListener;
  private final EpochZnode epochZnode;

  private volatile Role role = Role.STANDBY;
  private volatile long epoch;
  private volatile long leaderSession;
  private volatile long electedAtNanos;
  private volatile long activeAtNanos;

  // Touched only on the events thread.
  private LeaderLatch latch;

  public Leadership(CuratorFramework client, RegistryPaths paths, LeadershipConfig config) {
    this.client = Objects.requireNonNull(client, "client");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.config = Objects.requireNonNull(config, "config");
    this.id = config.nodeId();
    this.events = Executors.newSingleThreadScheduledExecutor(daemon("leadership-" + id));
    this.hooks = Executors.newSingleThreadExecutor(daemon("leadership-hooks-" + id));
    this.connectionListener = (c, state) -> connectionChanged(state);
    this.presence = new NodePresence(client, paths, id, config.address());
    this.epochZnode = new EpochZnode(client, paths, id);
    this.contact =
        new QuorumContact(
            client,
            id,
            config.sessionTimeout(),
            config.contactInterval(),
            () -> report(presence::heartbeat));
  }

  /** Registers this node and stands for election. Call once. */
  public void start() {
    if (!lifecycle.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
      throw new IllegalStateException("Leadership can be started only once");
    }
    client.getConnectionStateListenable().addListener(connectionListener, events);
    events.execute(
        () -> {
          presence.start();
          joinElection();
        });
    contact.start();
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
    contact.close();
    try {
      events
          .submit(
              () -> {
                leaveElection();
                setRole(Role.STANDBY, "closed");
                presence.close();
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
    if (role != Role.ACTIVE || !contact.freshFor(leaderSession)) {
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

  public LeadershipMetrics metrics() {
    return new LeadershipMetrics(
        id,
        role,
        epoch,
        contact.negotiatedMs(),
        contact.millisSinceContact(),
        changes.get(),
        isServingAsLeader());
  }

  /** Records what this node reports about itself besides its role (readiness, snapshot). */
  public void setReady(boolean ready, String snapshot) {
    report(() -> presence.update(info -> info.withReady(ready, snapshot)));
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
    String checked =
        presence.info().withRsync(url).rsync(); // validates now, in the caller's thread
    report(() -> presence.update(info -> info.withRsync(checked)));
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
    try {
      return epochZnode.writeIn(e, ops);
    } catch (FencedOutException fenced) {
      events.execute(() -> fencedOut(e));
      throw fenced;
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
      if (role == Role.NEUTRAL && session == leaderSession && epochZnode.current() == epoch) {
        setRole(Role.ACTIVE, "reconnected in the same session, still leader");
        return;
      }
      // Sent no later than the promotion, so the freshness it gives is never too long.
      long sent = System.nanoTime();
      int version = epochZnode.increment(() -> latch);
      if (version < 0) {
        LOG.warn("[{}] no longer first in the latch when promoted; standing as before", id);
        return;
      }
      becomeActive(version, session, sent);
    } catch (Exception e) {
      LOG.error("[{}] elected, but the promotion failed: {}; standing again", id, e.toString());
      leaveElection();
      setRole(Role.STANDBY, "promotion failed");
      scheduleRejoin();
    }
  }

  private void becomeActive(int version, long session, long sentNanos) {
    epoch = version;
    leaderSession = session;
    // The promotion transaction was itself a round trip in this session.
    contact.record(session, sentNanos);
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
            Math.max(500, contact.negotiatedMs() / 2),
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
    presence.update(info -> info.withRole(to, e));
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

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
