package org.mirrordirector.sync.probe;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.mirrordirector.failover.Health;
import org.mirrordirector.sync.archive.HttpArchiveSource;
import org.mirrordirector.sync.archive.Rfc2822Dates;
import org.mirrordirector.sync.archive.SuiteIndex;

/**
 * What a probe asks of a mirror beyond its InRelease: do its indexes match the InRelease, are the
 * pool files its snapshot adds there ({@link PoolSample}), and, for a snapshot newer than this
 * node's, what that snapshot lists (learned from the mirror) and whether the mirror holds it.
 */
final class ContentChecks {
  private final ProbeConfig config;
  private final ProbeRequests net;
  private final PoolSample sample;
  private final SnapshotLearner learner;
  private final Consumer<String> onNewer;

  ContentChecks(
      ProbeConfig config,
      ProbeRequests net,
      PoolSample sample,
      SnapshotLearner learner,
      Consumer<String> onNewer) {
    this.config = config;
    this.net = net;
    this.sample = sample;
    this.learner = learner;
    this.onNewer = onNewer;
  }

  /** The pool files to check of a snapshot this node keeps. */
  List<Map.Entry<String, Long>> sampleOf(KnownSnapshot s) {
    return sample.ofKept(s);
  }

  /**
   * A validly signed InRelease newer than this node's snapshot. With a learner, the snapshot is
   * learned from this mirror's indexes (checked against that InRelease), and the mirror is AHEAD
   * when its indexes match and the pool files the snapshot adds to this node's current one are
   * there (sampled): the files a mid-sync mirror (new indexes, old pool) lacks. Otherwise SYNCING.
   */
  Observation ahead(
      URI base, String suite, String sha, long latency, Instant date, KnownSnapshots known) {
    onNewer.accept(suite);
    String newer =
        "serves a validly signed InRelease of "
            + Rfc2822Dates.format(date)
            + ", newer than the director's snapshot";
    if (learner == null) {
      return new Observation(Health.SYNCING, sha, latency, newer, null, null, true);
    }
    SuiteIndex learned;
    try {
      learned = learner.learn(base, suite, sha);
    } catch (IOException e) {
      return new Observation(
          Health.SYNCING,
          sha,
          latency,
          newer + ", whose indexes cannot be read as it names them: " + e.getMessage(),
          null,
          null,
          true);
    }
    Optional<String> inconsistent = indexes(base, suite, learned.packagesIndexes());
    if (inconsistent.isPresent()) {
      return new Observation(
          Health.SYNCING, sha, latency, newer + "; " + inconsistent.get(), null, null, true);
    }
    List<SuiteIndex> others = learner.learned();
    String learnedSha = learned.inRelease();
    List<Map.Entry<String, Long>> files =
        sample.ofLearned(
            learned,
            known,
            p ->
                others.stream()
                    .anyMatch(o -> !o.inRelease().equals(learnedSha) && o.pool().containsKey(p)));
    Optional<Observation> pool = pool(base, files, sha, latency);
    if (pool.isPresent()) {
      Observation o = pool.get();
      return new Observation(
          o.health() == Health.BROKEN ? Health.SYNCING : o.health(),
          sha,
          latency,
          newer + ", but not the pool files it adds (a sync under way?): " + o.reason(),
          null,
          null,
          true);
    }
    return new Observation(
        Health.AHEAD,
        sha,
        latency,
        newer
            + "; its indexes match it and the files it adds are there ("
            + files.size()
            + " of "
            + sample.addedCount(learned, known)
            + " checked)",
        null,
        null,
        true);
  }

  /** HEADs a few Packages indexes the InRelease lists; a mismatch means a sync is under way. */
  Optional<String> indexes(URI base, String suite, Map<String, Long> indexSizes) {
    int n = 0;
    for (Map.Entry<String, Long> e : indexSizes.entrySet()) {
      if (n++ >= config.indexChecks()) {
        break;
      }
      String path = "dists/" + suite + "/" + e.getKey();
      HeadAnswer h = net.head(HttpArchiveSource.resolve(base, path));
      if (h.status() >= 500 || h.status() < 0) {
        return Optional.empty(); // a transient failure is for the pool check or the next probe
      }
      if (h.status() != 200) {
        return Optional.of(
            "its InRelease lists " + path + " but it answers HTTP " + h.status() + " for it");
      }
      if (h.length() >= 0 && h.length() != e.getValue()) {
        return Optional.of(
            "its InRelease does not match its indexes: "
                + path
                + " has "
                + h.length()
                + " bytes, the InRelease says "
                + e.getValue());
      }
    }
    return Optional.empty();
  }

  /** HEADs the sample of the pool files new in the mirror's snapshot ({@link PoolSample}). */
  Optional<Observation> pool(
      URI base, List<Map.Entry<String, Long>> files, String sha, long latency) {
    for (Map.Entry<String, Long> f : files) {
      HeadAnswer h = net.head(HttpArchiveSource.resolve(base, f.getKey()));
      if (h.status() < 0 || h.status() >= 500) {
        return Optional.of(
            new Observation(
                Health.DOWN, sha, latency, h.problem() + " for " + f.getKey(), null, null, true));
      }
      if (h.status() == 404 || h.status() == 410) {
        return Optional.of(
            broken(sha, latency, "missing " + f.getKey() + " (HTTP " + h.status() + ")"));
      }
      if (h.status() != 200) {
        return Optional.of(broken(sha, latency, "HTTP " + h.status() + " for " + f.getKey()));
      }
      if (h.length() >= 0 && h.length() != f.getValue()) {
        return Optional.of(
            broken(
                sha,
                latency,
                f.getKey() + " has " + h.length() + " bytes, the index says " + f.getValue()));
      }
    }
    return Optional.empty();
  }

  static Observation broken(String sha, Long latency, String reason) {
    return new Observation(Health.BROKEN, sha, latency, reason, null, null, sha != null);
  }
}
