package org.mirrordirector.failover;

import java.io.Closeable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timing behind a leader's claim: one round trip to the ZooKeeper quorum every contact
 * interval, on a thread of its own, and the session timeout the server actually negotiated.
 *
 * <p>A round trip is a {@code sync}, which the server forwards to the quorum leader, which checks
 * the session. A plain read would not do: a follower cut off from the leader still answers reads,
 * while the leader lets the session expire. A round trip counts only if the session did not change
 * during it, and its time is when it was sent, so that the freshness it gives is never longer than
 * the truth. {@link #freshFor} is what {@link Leadership#isServingAsLeader()} asks.
 */
final class QuorumContact implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(QuorumContact.class);

  private final CuratorFramework client;
  private final String id;
  private final Duration requested;
  private final Duration interval;
  private final Runnable afterEach;
  private final ScheduledExecutorService thread;

  private volatile long lastContactNanos;
  private volatile long lastContactSession = -1;
  private volatile int negotiatedMs;
  private volatile boolean loggedNegotiation;

  /**
   * @param requested the session timeout asked for; the figure used until the server answers
   * @param afterEach run on the contact thread after every attempt, successful or not
   */
  QuorumContact(
      CuratorFramework client,
      String id,
      Duration requested,
      Duration interval,
      Runnable afterEach) {
    this.client = Objects.requireNonNull(client, "client");
    this.id = id;
    this.requested = requested;
    this.interval = interval;
    this.afterEach = afterEach;
    this.negotiatedMs = (int) requested.toMillis();
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "zk-contact-" + id);
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    thread.scheduleWithFixedDelay(this::roundTrip, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** Counts an answer from the quorum in {@code session}, sent at {@code sentNanos}. */
  void record(long session, long sentNanos) {
    lastContactNanos = sentNanos;
    lastContactSession = session;
  }

  /**
   * True when the quorum answered in {@code session} less than a third of the negotiated session
   * timeout ago (monotonic clock). The session cannot expire by silence before the full timeout, so
   * a claim that stops here has stopped long before a successor can be elected.
   */
  boolean freshFor(long session) {
    return lastContactSession == session
        && System.nanoTime() - lastContactNanos < TimeUnit.MILLISECONDS.toNanos(negotiatedMs) / 3;
  }

  /** Milliseconds since the last counted round trip, or -1 before the first. */
  long millisSinceContact() {
    return lastContactSession == -1
        ? -1
        : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastContactNanos);
  }

  /** The session timeout the server negotiated, or the one asked for before it answered. */
  int negotiatedMs() {
    return negotiatedMs;
  }

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
        record(session, sent);
        int t = zk.getSessionTimeout();
        if (t > 0) {
          noteNegotiated(t);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      // no contact this time; freshness runs out on its own
    }
    afterEach.run();
  }

  private void noteNegotiated(int t) {
    int was = negotiatedMs;
    negotiatedMs = t;
    if (!loggedNegotiation || was != t) {
      loggedNegotiation = true;
      long asked = requested.toMillis();
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
}
