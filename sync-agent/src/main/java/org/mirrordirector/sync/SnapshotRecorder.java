package org.mirrordirector.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.mirrordirector.failover.FencedOutException;
import org.mirrordirector.failover.Leadership;
import org.mirrordirector.failover.RegistryCodec;
import org.mirrordirector.failover.RegistryPaths;
import org.mirrordirector.failover.RegistryWriter;
import org.mirrordirector.failover.Role;
import org.mirrordirector.failover.SnapshotRecord;
import org.mirrordirector.failover.SuiteSnapshot;
import org.mirrordirector.sync.archive.Sha256;
import org.mirrordirector.sync.archive.SnapshotId;
import org.mirrordirector.sync.archive.VerificationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the active node's verified snapshot in the registry, with a fenced write: the snapshot
 * and {@code archive/current} change together, and only while this node holds the epoch. A
 * snapshot's registry id comes from its content (the InRelease of every suite), so the same archive
 * state has the same id on the active node and on the hot spare that copied it; after a promotion
 * the new active node records its current snapshot under the new epoch. Records of snapshots no
 * longer kept on disk are removed.
 */
public final class SnapshotRecorder implements Consumer<SyncReport> {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotRecorder.class);

  private final Leadership leadership;
  private final RegistryWriter writer;
  private final RegistryPaths paths;
  private final SnapshotStore store;
  private final List<String> suites;
  private final Clock clock;
  private String lastId;
  private long lastEpoch = -1;

  public SnapshotRecorder(
      Leadership leadership,
      RegistryPaths paths,
      SnapshotStore store,
      List<String> suites,
      Clock clock) {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.writer = new RegistryWriter(leadership, paths);
    this.store = Objects.requireNonNull(store, "store");
    this.suites = List.copyOf(suites);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The registry id of an archive state: a digest of every suite's InRelease identity. */
  public static String idOf(Map<String, SnapshotId> ids) {
    java.security.MessageDigest d = Sha256.newDigest();
    for (Map.Entry<String, SnapshotId> e : new TreeMap<>(ids).entrySet()) {
      d.update((e.getKey() + "=" + e.getValue().sha256() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return "s-" + Sha256.hex(d).substring(0, 24);
  }

  @Override
  public synchronized void accept(SyncReport r) {
    if (r.outcome() != SyncOutcome.PUBLISHED && r.outcome() != SyncOutcome.UNCHANGED) {
      return;
    }
    if (leadership.role() != Role.ACTIVE) {
      return;
    }
    try {
      record(r);
    } catch (FencedOutException e) {
      LOG.warn("[{}] not recording the snapshot: {}", leadership.nodeId(), e.getMessage());
    } catch (Exception e) {
      LOG.error("[{}] cannot record the snapshot in the registry", leadership.nodeId(), e);
    }
  }

  /** Records the current snapshot when it or the epoch changed since the last record. */
  void record(SyncReport r) throws Exception {
    if (!r.ids().keySet().containsAll(suites)) {
      return;
    }
    String id = idOf(r.ids());
    long epoch = leadership.epoch();
    if (id.equals(lastId) && epoch == lastEpoch) {
      return;
    }
    Map<String, SuiteSnapshot> bySuite = new TreeMap<>();
    for (VerificationReport v : r.verifications()) {
      SnapshotId sid = r.ids().get(v.suite());
      if (sid != null) {
        bySuite.put(
            v.suite(),
            new SuiteSnapshot(sid.sha256(), v.date().map(d -> d.toEpochMilli()).orElse(0L)));
      }
    }
    long now = clock.millis();
    long created = existingCreatedAt(id).orElse(now);
    writer.publish(new SnapshotRecord(id, bySuite, created), now);
    lastId = id;
    lastEpoch = epoch;
    LOG.info("[{}] recorded snapshot {} as current in epoch {}", leadership.nodeId(), id, epoch);
    removeGone(id);
  }

  private java.util.Optional<Long> existingCreatedAt(String id) {
    try {
      byte[] data = leadership.client().getData().forPath(paths.snapshot(id));
      return java.util.Optional.of(
          RegistryCodec.decode(paths.snapshot(id), data, SnapshotRecord.class).createdAtMillis());
    } catch (Exception none) {
      return java.util.Optional.empty();
    }
  }

  /** Deletes the records of snapshots no longer kept on this node's disk. */
  private void removeGone(String current) throws Exception {
    Set<String> kept = new HashSet<>();
    kept.add(current);
    for (Path snap : store.list()) {
      Map<String, SnapshotId> ids = new TreeMap<>();
      try {
        for (String s : suites) {
          ids.put(
              s,
              SnapshotId.ofInRelease(
                  Files.readAllBytes(snap.resolve("dists").resolve(s).resolve("InRelease"))));
        }
        kept.add(idOf(ids));
      } catch (IOException unreadable) {
        // not a snapshot of these suites
      }
    }
    List<String> recorded;
    try {
      recorded = leadership.client().getChildren().forPath(paths.snapshots());
    } catch (org.apache.zookeeper.KeeperException.NoNodeException none) {
      return;
    }
    for (String id : recorded) {
      if (!kept.contains(id)) {
        writer.deleteSnapshot(id);
        LOG.info("[{}] removed the record of snapshot {}, no longer kept", leadership.nodeId(), id);
      }
    }
  }
}
