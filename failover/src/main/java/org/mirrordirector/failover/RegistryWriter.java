package org.mirrordirector.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.utils.ZKPaths;

/**
 * The shared-state writes of the active node. Each is one ZooKeeper multi behind the epoch check of
 * {@link Leadership#write}; a write from a node that is no longer the leader fails with {@link
 * FencedOutException} and changes nothing.
 */
public final class RegistryWriter {
  private final Leadership leadership;
  private final RegistryPaths paths;
  private final CuratorFramework client;

  public RegistryWriter(Leadership leadership, RegistryPaths paths) {
    this.leadership = Objects.requireNonNull(leadership, "leadership");
    this.paths = Objects.requireNonNull(paths, "paths");
    this.client = leadership.client();
  }

  public void putMirror(MirrorConfig m) throws Exception {
    put(paths.mirror(m.id()), m);
  }

  public void putMirrorState(MirrorState s) throws Exception {
    put(paths.mirrorState(s.mirror()), s);
  }

  /**
   * Records that the quick check found a mirror not answering. Only for a mirror that exists: a
   * mirror removed meanwhile is not brought back as an empty znode.
   */
  public void putUnreachable(Unreachable u) throws Exception {
    String path = paths.mirrorReach(u.mirror());
    byte[] data = RegistryCodec.encode(u);
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(client.transactionOp().check().forPath(paths.mirror(u.mirror())));
    ops.add(
        client.checkExists().forPath(path) != null
            ? client.transactionOp().setData().forPath(path, data)
            : client.transactionOp().create().forPath(path, data));
    leadership.write(ops);
  }

  /** Removes a mirror's unreachable record, if it has one. */
  public void clearUnreachable(String id) throws Exception {
    if (client.checkExists().forPath(paths.mirrorReach(id)) != null) {
      leadership.write(List.of(client.transactionOp().delete().forPath(paths.mirrorReach(id))));
    }
  }

  /** Removes a mirror with its state and its unreachable record. */
  public void deleteMirror(String id) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    if (client.checkExists().forPath(paths.mirrorReach(id)) != null) {
      ops.add(client.transactionOp().delete().forPath(paths.mirrorReach(id)));
    }
    if (client.checkExists().forPath(paths.mirrorState(id)) != null) {
      ops.add(client.transactionOp().delete().forPath(paths.mirrorState(id)));
    }
    if (client.checkExists().forPath(paths.mirror(id)) != null) {
      ops.add(client.transactionOp().delete().forPath(paths.mirror(id)));
    }
    if (!ops.isEmpty()) {
      leadership.write(ops);
    }
  }

  public void putSnapshot(SnapshotRecord s) throws Exception {
    put(paths.snapshot(s.id()), s);
  }

  public void deleteSnapshot(String id) throws Exception {
    if (client.checkExists().forPath(paths.snapshot(id)) != null) {
      leadership.write(List.of(client.transactionOp().delete().forPath(paths.snapshot(id))));
    }
  }

  /**
   * Records a snapshot and makes it current in one step: readers never see one without the other.
   */
  public void publish(SnapshotRecord s, long publishedAtMillis) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    ops.add(upsert(paths.snapshot(s.id()), s));
    ops.add(
        upsert(
            paths.current(), new CurrentSnapshot(s.id(), publishedAtMillis, leadership.epoch())));
    leadership.write(ops);
  }

  public void addDrill(DrillRecord d) throws Exception {
    put(paths.drill(d.id()), d);
  }

  private void put(String path, Object payload) throws Exception {
    leadership.write(List.of(upsert(path, payload)));
  }

  /** A create or a set, whichever the znode needs; its parents are made first (harmlessly). */
  private CuratorOp upsert(String path, Object payload) throws Exception {
    byte[] data = RegistryCodec.encode(payload);
    if (client.checkExists().forPath(path) != null) {
      return client.transactionOp().setData().forPath(path, data);
    }
    String parent = ZKPaths.getPathAndNode(path).getPath();
    client.createContainers(parent);
    return client.transactionOp().create().forPath(path, data);
  }
}
