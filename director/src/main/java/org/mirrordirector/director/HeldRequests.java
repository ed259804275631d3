package org.mirrordirector.director;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.mirrordirector.failover.ClusterView;

/**
 * A pool or by-hash request that no mirror qualifies for and that this node has no file for: the
 * client is probably ahead of the director (a mirror served it a newer InRelease before the
 * director knew of it). The node is asked to look at once, and the request is decided again every
 * {@value #TICK_MILLIS} ms until a mirror qualifies or this node has the file, for up to {@link
 * SelectionPolicy#holdFor()}. Then: 503 with Retry-After while the node is fetching a newer
 * snapshot, 404 when it is not. No thread waits meanwhile.
 */
final class HeldRequests implements AutoCloseable {
  /** Requests held at once; more are answered at once. */
  private static final int MAX_HELD = 10_000;

  /** How often a held request is decided again. */
  static final long TICK_MILLIS = 200;

  private final MirrorSelector selector;
  private final Supplier<ClusterView> view;
  private final Supplier<FileKnowledge> files;
  private final LocalFiles local;
  private final Redirects redirects;
  private final PlainAnswers answers;
  private final DirectorMetrics metrics;
  private final CatchUp catchUp;
  private final ScheduledExecutorService ticks =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "director-holds");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger holding = new AtomicInteger();

  HeldRequests(
      MirrorSelector selector,
      Supplier<ClusterView> view,
      Supplier<FileKnowledge> files,
      LocalFiles local,
      Redirects redirects,
      PlainAnswers answers,
      DirectorMetrics metrics,
      CatchUp catchUp) {
    this.selector = selector;
    this.view = view;
    this.files = files;
    this.local = local;
    this.redirects = redirects;
    this.answers = answers;
    this.metrics = metrics;
    this.catchUp = catchUp;
  }

  /** Whether a request this node has no file for is held at all ({@code hold-for} above 0). */
  boolean holds() {
    return !selector.policy().holdFor().isZero();
  }

  /** Holds a new request: asks the node to look now, and decides again every tick. */
  void hold(PendingRequest a) {
    if (holding.incrementAndGet() > MAX_HELD) {
      holding.decrementAndGet();
      expire(a, false);
      return;
    }
    catchUp.lookNow();
    schedule(a, System.nanoTime() + selector.policy().holdFor().toNanos());
  }

  private void schedule(PendingRequest a, long deadline) {
    try {
      ticks.schedule(() -> retry(a, deadline), TICK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      holding.decrementAndGet();
      expire(a, false);
    }
  }

  private void retry(PendingRequest a, long deadline) {
    try {
      MirrorSelection s =
          selector.select(
              a.path(),
              a.scheme(),
              a.client(),
              view.get(),
              files.get(),
              System.currentTimeMillis(),
              false);
      if (s.outcome() == SelectionOutcome.REDIRECT
          || s.outcome() == SelectionOutcome.FALLBACK_MIRROR) {
        holding.decrementAndGet();
        metrics.held("redirected");
        redirects.redirect(s, a.response(), a.callback(), redirects.counted(s, a.path()));
        return;
      }
      if (s.outcome() == SelectionOutcome.SERVE_LOCALLY && local.find(a.path()) != null) {
        holding.decrementAndGet();
        metrics.held("served");
        a.request().getComponents().getThreadPool().execute(() -> serveHeld(a));
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        holding.decrementAndGet();
        expire(a, true);
        return;
      }
      schedule(a, deadline);
    } catch (RuntimeException e) {
      holding.decrementAndGet();
      a.callback().failed(e);
    }
  }

  /** A held request whose file has come: served, never held again. */
  private void serveHeld(PendingRequest a) {
    try {
      local.serve(a, false);
    } catch (Throwable t) {
      a.callback().failed(t);
    }
  }

  private void expire(PendingRequest a, boolean counted) {
    if (counted) {
      metrics.held("expired");
    }
    if (catchUp.catchingUp()) {
      a.response().getHeaders().put(HttpHeader.RETRY_AFTER, "10");
      answers.text(
          a.response(),
          a.callback(),
          503,
          "no mirror has this file yet and this node has not caught up with the newest snapshot\n",
          a.head());
    } else {
      answers.text(
          a.response(), a.callback(), 404, "not in any snapshot this director knows\n", a.head());
    }
  }

  @Override
  public void close() {
    ticks.shutdownNow();
  }
}
