package org.mirrordirector.failover;

import java.io.IOException;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sync node's znode in the registry: ephemeral, so that it stands exactly while the node's
 * session lives, and carrying what the node says of itself (role, epoch, readiness, snapshot, rsync
 * URL) with a heartbeat time, written again at most once a second and on every change.
 *
 * <p>Not thread-safe except for {@link #info()}: {@link Leadership} calls it from its events thread
 * only.
 */
final class NodePresence {
  private static final Logger LOG = LoggerFactory.getLogger(NodePresence.class);
  private static final long HEARTBEAT_EVERY_MILLIS = 1000;

  private final CuratorFramework client;
  private final String path;
  private final String id;
  private volatile NodeInfo info;
  private PersistentNode znode;
  private long lastHeartbeatMillis;

  NodePresence(CuratorFramework client, RegistryPaths paths, String id, String address) {
    this.client = client;
    this.path = paths.node(id);
    this.id = id;
    this.info =
        new NodeInfo(id, address, Role.STANDBY, 0, false, System.currentTimeMillis(), null, null);
  }

  /** Creates the znode (and recreates it after every new session, as Curator does). */
  void start() {
    znode =
        new PersistentNode(client, CreateMode.EPHEMERAL, false, path, RegistryCodec.encode(info));
    znode.start();
  }

  /** What this node says of itself now; safe from any thread. */
  NodeInfo info() {
    return info;
  }

  /** Changes what this node says of itself and writes it at once. */
  void update(UnaryOperator<NodeInfo> change) {
    info = change.apply(info);
    publish();
  }

  /** Writes the heartbeat if the last write is a second old or more. */
  void heartbeat() {
    if (System.currentTimeMillis() - lastHeartbeatMillis >= HEARTBEAT_EVERY_MILLIS) {
      publish();
    }
  }

  /** Removes the znode. */
  void close() {
    if (znode != null) {
      try {
        znode.close();
      } catch (IOException e) {
        LOG.warn("[{}] cannot remove the node znode: {}", id, e.toString());
      }
    }
  }

  private void publish() {
    PersistentNode n = znode;
    if (n == null) {
      return;
    }
    long now = System.currentTimeMillis();
    lastHeartbeatMillis = now;
    try {
      n.setData(RegistryCodec.encode(info.withHeartbeat(now)));
    } catch (Exception e) {
      LOG.debug("[{}] cannot update the node znode yet: {}", id, e.toString());
    }
  }
}
