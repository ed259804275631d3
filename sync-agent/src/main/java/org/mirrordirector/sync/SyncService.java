package org.mirrordirector.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link SyncAgent} when there is something to copy.
 *
 * <ul>
 *   <li>Every {@code interval} it looks at the upstream's InRelease files (cheap; see {@link
 *       UpstreamWatch}) and runs a sync only when one changed, or when the upstream itself changed
 *       (a hot spare promoted to the real upstream, or demoted back to the active node's tree).
 *   <li>{@link #trigger()} (a push from the upstream, an operator) asks for a run. Triggers that
 *       arrive while a run is under way are coalesced into exactly one more run, which starts when
 *       the current one ends.
 * </ul>
 *
 * Runs happen one at a time on one thread; a run that fails is retried at the next look.
 */
public final class SyncService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncService.class);

  private final SyncAgent agent;
  private final Supplier<String> upstream;
  private final Duration interval;
  private final ExecutorService runner;
  private final ScheduledExecutorService looker;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final AtomicLong looks = new AtomicLong();
  private final AtomicReference<SyncReport> last = new AtomicReference<>();
  private final AtomicReference<String> lastLookProblem = new AtomicReference<>();
  private final List<Consumer<SyncReport>> listeners = new CopyOnWriteArrayList<>();
  private volatile String lastUpstream;
  private volatile boolean lastRunFailed;

  /**
   * @param upstream chooses the upstream for each look and run (see {@link HotSpareUpstream})
   */
  public SyncService(SyncAgent agent, Supplier<String> upstream, Duration interval) {
    this.agent = Objects.requireNonNull(agent, "agent");
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the look interval must be positive: " + interval);
    }
    this.interval = interval;
    this.runner = Executors.newSingleThreadExecutor(r -> daemon(r, "sync-run"));
    this.looker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sync-look"));
  }

  /** Called with every run's report, on the run thread. */
  public void addListener(Consumer<SyncReport> l) {
    listeners.add(l);
  }

  /** Starts looking at the upstream (the first look is immediate). */
  public SyncService start() {
    looker.scheduleWithFixedDelay(this::look, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Asks for a run. Returns false when it was coalesced into a run already waiting to start. */
  public boolean trigger() {
    if (queued.getAndSet(true)) {
      coalesced.incrementAndGet();
      return false;
    }
    runner.execute(this::run);
    return true;
  }

  /**
   * Looks as soon as possible on the service's own thread: for callers that must not block (a
   * leadership listener, when the upstream to copy from has just changed).
   */
  public void lookSoon() {
    try {
      looker.execute(this::look);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the service is closing
    }
  }

  /** Looks now (also called on the interval); asks for a run when something changed. */
  public void look() {
    if (running.get() || queued.get()) {
      return;
    }
    String up = upstream.get();
    looks.incrementAndGet();
    try {
      boolean moved = !up.equals(lastUpstream);
      UpstreamLook l = agent.lookAtUpstream(up);
      lastLookProblem.set(null);
      if (moved || l.changed() || lastRunFailed) {
        LOG.info(
            "[{}] {}: {}",
            agent.host(),
            up,
            moved
                ? "a new upstream"
                : l.changed() ? "changed " + l.changedSuites() : "retrying after a failed run");
        trigger();
      }
    } catch (IOException e) {
      lastLookProblem.set(e.getMessage());
      LOG.warn("[{}] cannot look at {}: {}", agent.host(), up, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      lastLookProblem.set(e.toString());
      LOG.error("[{}] look at {} failed", agent.host(), up, e);
    }
  }

  private void run() {
    queued.set(false);
    running.set(true);
    String up = upstream.get();
    try {
      SyncReport r = agent.runOnce(up);
      runs.incrementAndGet();
      last.set(r);
      lastUpstream = up;
      lastRunFailed = r.outcome() != SyncOutcome.PUBLISHED && r.outcome() != SyncOutcome.UNCHANGED;
      for (Consumer<SyncReport> l : listeners) {
        try {
          l.accept(r);
        } catch (RuntimeException e) {
          LOG.error("[{}] a sync listener failed", agent.host(), e);
        }
      }
    } catch (IOException | RuntimeException e) {
      lastRunFailed = true;
      LOG.error("[{}] sync from {} failed", agent.host(), up, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.set(false);
    }
  }

  public SyncStats stats() {
    return new SyncStats(
        runs.get(),
        coalesced.get(),
        looks.get(),
        last.get(),
        lastLookProblem.get(),
        running.get(),
        queued.get());
  }

  @Override
  public void close() {
    looker.shutdownNow();
    runner.shutdownNow();
    try {
      runner.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
