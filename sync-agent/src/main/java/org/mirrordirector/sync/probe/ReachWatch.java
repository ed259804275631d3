package org.mirrordirector.sync.probe;

import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.MirrorConfig;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Unreachable;
import org.mirrordirector.failover.net.HappyEyeballs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the quick check's findings into the registry's {@link Unreachable} records, on the active
 * node: a mirror that did not answer is recorded at once (and a recheck asked for, so that the
 * probes confirm it DOWN), one recorded is cleared after {@code confirmations} answers in a row.
 * Taking a mirror out of routing costs nothing while others qualify; putting it back can wait.
 * Checks only while this node serves as leader; every write is fenced by the epoch.
 */
public final class ReachWatch implements ReachListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReachWatch.class);

  private final Leadership leadership;
  private final RegistryWriter writer;
  private final Supplier<ClusterView> view;
  private final String suite;
  private final int confirmations;
  private final Runnable onLost;
  private final Clock clock;
  private final ReachCheck check;
  private final ScheduledExecutorService thread;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong cleared = new AtomicLong();

  // The writes thread only.
  private final Set<String> unreachable = new HashSet<>();
  private final Map<String, Integer> answers = new HashMap<>();
  private boolean leading;

  /**
   * @param suites the archive's suites: the check asks for the first one's InRelease
   * @param onLost called (on this watch's thread) when a mirror is recorded unreachable
   */
  public ReachWatch(
      ReachSettings settings,
      HappyEyeballs eyeballs,
      TlsCheck tls,
      Leadership leadership,
      RegistryPaths paths,
      Supplier<ClusterView> view,
      List<String> suites,
      int confirmations,
      Runnable onLost,
      Clock clock)
      throws java.io.IOException {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    this.writer = new RegistryWriter(leadership, paths);
    this.view = Objects.requireNonNull(view, "view");
    this.suite = suites.get(0);
    this.confirmations = confirmations;
    this.onLost = onLost == null ? () -> {} : onLost;
    this.clock = Objects.requireNonNull(clock, "clock");
    String name = "reach-check";
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name + "-writes");
              t.setDaemon(true);
              return t;
            });
    this.check = new ReachCheck(settings, eyeballs, tls, this, 16, name);
  }

  /** Follows the view and the leadership each interval. */
  public ReachWatch start() {
    long every = check.settings().interval().toMillis();
    thread.scheduleWithFixedDelay(this::refreshQuietly, 0, every, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * The mirrors to check now: every enabled one while this node serves as leader, none otherwise.
   * On becoming the leader, what the registry records as unreachable is taken as this node's own
   * (the new leader clears what its predecessor recorded); records of mirrors no longer enabled are
   * cleared.
   */
  public void refresh() {
    thread.execute(this::refreshQuietly);
  }

  private void refreshQuietly() {
    try {
      Map<String, URI> urls = new HashMap<>();
      if (!leadership.isServingAsLeader()) {
        check.watch(Map.of());
        leading = false;
        unreachable.clear();
        answers.clear();
        return;
      }
      Map<String, MirrorView> mirrors = view.get().mirrors();
      if (!leading) {
        // Just became the leader: what the registry records is this node's to clear now. Only
        // then: later, a view that has not caught up with this node's own clear would undo it.
        leading = true;
        for (MirrorView m : mirrors.values()) {
          if (m.unreachable() != null) {
            unreachable.add(m.config().id());
          }
        }
      }
      unreachable.retainAll(mirrors.keySet());
      answers.keySet().retainAll(mirrors.keySet());
      for (MirrorView m : mirrors.values()) {
        MirrorConfig c = m.config();
        if (!c.enabled()) {
          if (m.unreachable() != null || unreachable.contains(c.id())) {
            clear(c.id());
          }
          continue;
        }
        urls.put(c.id(), url(c));
      }
      check.watch(urls);
    } catch (RuntimeException e) {
      LOG.warn("reach check: cannot follow the view", e);
    }
  }

  /** What the check asks a mirror for: its http base URL if it has one, else https. */
  URI url(MirrorConfig c) {
    String base = c.baseUrls().getOrDefault("http", c.baseUrls().get("https"));
    return URI.create(base + (base.endsWith("/") ? "" : "/") + "dists/" + suite + "/InRelease");
  }

  @Override
  public void lost(String mirror, String reason) {
    long at = clock.millis();
    execute(
        () -> {
          answers.remove(mirror);
          MirrorView m = view.get().mirrors().get(mirror);
          if (m == null || !m.config().enabled() || !unreachable.add(mirror)) {
            return; // removed or disabled meanwhile, or recorded already
          }
          try {
            writer.putUnreachable(new Unreachable(mirror, at, reason));
            recorded.incrementAndGet();
            LOG.info("mirror {} out of routing: {}", mirror, reason);
          } catch (FencedOutException e) {
            unreachable.remove(mirror);
            return;
          } catch (Exception e) {
            unreachable.remove(mirror); // tried again at its next failed check
            LOG.warn("cannot record mirror {} unreachable: {}", mirror, e.toString());
            return;
          }
          onLost.run();
        });
  }

  @Override
  public void answered(String mirror) {
    execute(
        () -> {
          if (unreachable.contains(mirror)
              && answers.merge(mirror, 1, Integer::sum) >= confirmations) {
            clear(mirror);
          }
        });
  }

  private void clear(String mirror) {
    try {
      writer.clearUnreachable(mirror);
      unreachable.remove(mirror);
      answers.remove(mirror);
      cleared.incrementAndGet();
      LOG.info("mirror {} answers again: back in routing", mirror);
    } catch (FencedOutException e) {
      unreachable.remove(mirror);
    } catch (Exception e) {
      LOG.warn("cannot clear mirror {}'s unreachable record: {}", mirror, e.toString());
    }
  }

  private void execute(Runnable r) {
    try {
      thread.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closed
    }
  }

  /** Records written so far. */
  public long recorded() {
    return recorded.get();
  }

  /** Records cleared so far. */
  public long cleared() {
    return cleared.get();
  }

  public ReachCheck check() {
    return check;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    check.close();
  }
}
