package org.mirrordirector.failover;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A director replica's only write to the registry: its node znode, ephemeral, so that it is there
 * exactly while the replica's session lives (and comes back by itself after a new session). Its
 * payload (role {@link Role#REPLICA}, region, readiness, the snapshot it routes on) is written
 * again only when it changes: no heartbeat, so that N replicas do not cost every reader N writes a
 * second.
 */
public final class ReplicaPresence implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaPresence.class);

  private final PersistentNode znode;
  private final AtomicLong writes = new AtomicLong();
  private NodeInfo info;

  /**
   * @param region the replica's region, shown on every status page; null for none
   */
  public ReplicaPresence(
      CuratorFramework client, RegistryPaths paths, String id, String address, String region) {
    Objects.requireNonNull(client, "client");
    this.info =
        new NodeInfo(
            id, address, Role.REPLICA, 0, false, System.currentTimeMillis(), null, null, region);
    this.znode =
        new PersistentNode(
            client, CreateMode.EPHEMERAL, false, paths.node(id), RegistryCodec.encode(info));
  }

  public ReplicaPresence start() {
    znode.start();
    return this;
  }

  /** What the registry says of this replica now. */
  public synchronized NodeInfo info() {
    return info;
  }

  /**
   * Announces readiness and the snapshot the replica routes on; writes only when either changed.
   */
  public synchronized void set(boolean ready, String snapshot) {
    NodeInfo next = info.withReady(ready, snapshot);
    if (next.equals(info)) {
      return;
    }
    info = next.withHeartbeat(System.currentTimeMillis());
    try {
      znode.setData(RegistryCodec.encode(info));
      writes.incrementAndGet();
    } catch (Exception e) {
      // Kept in the PersistentNode: it is written when the znode is created again.
      LOG.debug("[{}] presence not written yet: {}", info.id(), e.toString());
    }
  }

  /** Payload writes since the start (the creation not counted). */
  public long writes() {
    return writes.get();
  }

  @Override
  public void close() throws IOException {
    znode.close();
  }
}
