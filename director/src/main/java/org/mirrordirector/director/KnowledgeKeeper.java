package org.mirrordirector.director;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.mirrordirector.failover.ClusterView;
import org.mirrordirector.failover.Health;
import org.mirrordirector.failover.MirrorView;
import org.mirrordirector.failover.SuiteState;
import org.mirrordirector.sync.archive.LocalArchiveSource;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SuiteIndex;
import org.mirrordirector.sync.archive.TrustedKeys;
import org.mirrordirector.sync.probe.SnapshotLearner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the director's {@link FileKnowledge} current: this node's verified trees after every
 * publication, and the snapshots of mirrors that are ahead of the node, learned from their signed
 * indexes. A director that reads a mirror's state as AHEAD at a snapshot it does not know learns
 * that snapshot from the mirror (every director does, the active node's and the hot spare's alike,
 * so that both route its files); until then it sends that mirror nothing. A learned snapshot is
 * forgotten when no mirror serves it any more and the node's own trees are as new.
 */
public final class KnowledgeKeeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KnowledgeKeeper.class);

  private final List<String> suites;
  private final SnapshotLearner learner;
  private final Supplier<ClusterView> view;
  private final AtomicReference<FileKnowledge> knowledge;
  private final ScheduledExecutorService looker;
  private volatile Map<String, MirrorView> lookedAt;

  /**
   * @param learner learns mirrors' snapshots; shared with the prober on the active node, so that a
   *     snapshot the prober learned is known here at once
   */
  public KnowledgeKeeper(
      List<String> suites,
      FileKnowledge initial,
      SnapshotLearner learner,
      Supplier<ClusterView> view) {
    this.suites = List.copyOf(suites);
    this.learner = learner;
    this.view = view;
    this.knowledge = new AtomicReference<>(initial);
    learner.addListener(this::learned);
    this.looker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "knowledge-keeper");
              t.setDaemon(true);
              return t;
            });
  }

  /** Looks at the registry view every {@code every} for mirrors at snapshots to learn. */
  public KnowledgeKeeper start(java.time.Duration every) {
    looker.scheduleWithFixedDelay(
        () -> {
          try {
            look();
          } catch (RuntimeException e) {
            LOG.warn("looking for snapshots to learn failed: {}", e.toString());
          }
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  public FileKnowledge get() {
    return knowledge.get();
  }

  /** Reads this node's trees again after a publication or a prune (known ones are not re-read). */
  public void refreshLocal(List<Path> trees) throws IOException {
    synchronized (this) {
      knowledge.set(knowledge.get().refresh(trees, suites).retainLearned(this::keep));
    }
  }

  /**
   * Starts learning every snapshot that a mirror is AHEAD at and this director does not know, and
   * forgets learned ones no longer needed. Called on an interval; cheap when nothing changed.
   */
  public void look() {
    ClusterView v = view.get();
    if (v.mirrors() == lookedAt) {
      return;
    }
    lookedAt = v.mirrors();
    FileKnowledge k = knowledge.get();
    for (MirrorView m : v.mirrors().values()) {
      if (m.state() == null || !m.config().enabled()) {
        continue;
      }
      String base = m.config().baseUrls().getOrDefault("http", m.config().baseUrls().get("https"));
      for (Map<String, SuiteState> bySuite : m.state().schemes().values()) {
        for (Map.Entry<String, SuiteState> e : bySuite.entrySet()) {
          SuiteState s = e.getValue();
          if (s.health() == Health.AHEAD
              && s.snapshot() != null
              && suites.contains(e.getKey())
              && k.snapshot(s.snapshot()).isEmpty()) {
            learner.learnSoon(
                URI.create(base.endsWith("/") ? base : base + "/"), e.getKey(), s.snapshot());
          }
        }
      }
    }
    synchronized (this) {
      knowledge.set(knowledge.get().retainLearned(this::keep));
    }
  }

  /**
   * Learns the snapshot of a tree that is still being built (a sync's new {@code dists/}): each
   * suite's InRelease is verified with {@code keys} and its indexes checked against it. A suite
   * that does not check out is skipped: the sync itself will say why.
   */
  public void learnFromTree(Path tree, TrustedKeys keys) {
    for (String suite : suites) {
      Path in = tree.resolve("dists").resolve(suite).resolve("InRelease");
      try {
        byte[] data = java.nio.file.Files.readAllBytes(in);
        if (knowledge.get().snapshot(Sha256.hex(data)).isPresent()) {
          continue;
        }
        learned(
            SuiteIndex.read(
                new LocalArchiveSource(tree), suite, data, keys, true, new java.util.HashMap<>()));
      } catch (IOException | RuntimeException e) {
        LOG.debug("the new indexes of {} in {} are not usable: {}", suite, tree, e.toString());
      }
    }
  }

  private void learned(SuiteIndex i) {
    if (!suites.contains(i.suite())) {
      return;
    }
    synchronized (this) {
      knowledge.set(knowledge.get().withLearned(i));
    }
    LOG.info(
        "learned snapshot {} of {} ({} pool files) before this node has its pool",
        i.inRelease().substring(0, 12),
        i.suite(),
        i.pool().size());
  }

  /**
   * True while some suite's newest known snapshot is not one of this node's own: the node is behind
   * (a mirror, or its own sync's new indexes, showed a newer one).
   */
  public boolean behind() {
    FileKnowledge k = knowledge.get();
    for (String suite : suites) {
      if (k.newest(suite).map(s -> !s.local()).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A learned snapshot is kept while a mirror serves it, or while it is newer than every local
   * snapshot of its suite (the node has not caught up yet).
   */
  private boolean keep(String sha) {
    Set<String> served = new HashSet<>();
    for (MirrorView m : view.get().mirrors().values()) {
      if (m.state() == null) {
        continue;
      }
      for (Map<String, SuiteState> bySuite : m.state().schemes().values()) {
        for (SuiteState s : bySuite.values()) {
          if (s.snapshot() != null) {
            served.add(s.snapshot());
          }
        }
      }
    }
    if (served.contains(sha)) {
      return true;
    }
    FileKnowledge k = knowledge.get();
    SnapshotFiles s = k.snapshot(sha).orElse(null);
    if (s == null) {
      return false;
    }
    for (SnapshotFiles other : k.snapshots().values()) {
      if (other.local() && other.suite().equals(s.suite()) && !other.date().isBefore(s.date())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    looker.shutdownNow();
  }
}
