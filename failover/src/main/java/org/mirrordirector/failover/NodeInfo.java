package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

/**
 * One running node (ephemeral).
 *
 * @param address where the node's director answers (host:port)
 * @param rsync the rsync URL of the node's published tree, from which a hot spare copies; null when
 *     it serves none
 * @param heartbeatMillis when the node last wrote this znode: every second for the writer pair, on
 *     each change for a replica (whose presence is the ephemeral znode itself)
 * @param region a replica's region, null for the writer pair
 */
public record NodeInfo(
    String id,
    String address,
    Role role,
    long epoch,
    boolean ready,
    long heartbeatMillis,
    String snapshot,
    String rsync,
    String region) {
  public NodeInfo {
    RegistryPaths.requireId("node", id);
    require(role != null, "node " + id + ": role is missing");
    require(epoch >= 0, "node " + id + ": negative epoch " + epoch);
    require(
        rsync == null
            || (rsync.startsWith("rsync://")
                && rsync.endsWith("/")
                && rsync.chars().noneMatch(c -> c < 0x21 || c == 0x7f)),
        "node " + id + ": rsync must be rsync://host/module/: '" + rsync + "'");
    require(
        region == null || region.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"),
        "node " + id + ": region must be 1-64 of [A-Za-z0-9._-]: '" + region + "'");
  }

  /** A node of the writer pair (no region). */
  public NodeInfo(
      String id,
      String address,
      Role role,
      long epoch,
      boolean ready,
      long heartbeatMillis,
      String snapshot,
      String rsync) {
    this(id, address, role, epoch, ready, heartbeatMillis, snapshot, rsync, null);
  }

  public NodeInfo withRole(Role r, long e) {
    return new NodeInfo(id, address, r, e, ready, heartbeatMillis, snapshot, rsync, region);
  }

  public NodeInfo withHeartbeat(long millis) {
    return new NodeInfo(id, address, role, epoch, ready, millis, snapshot, rsync, region);
  }

  public NodeInfo withReady(boolean r, String snap) {
    return new NodeInfo(id, address, role, epoch, r, heartbeatMillis, snap, rsync, region);
  }

  public NodeInfo withRsync(String url) {
    return new NodeInfo(id, address, role, epoch, ready, heartbeatMillis, snapshot, url, region);
  }
}
