package org.mirrordirector.ops.node;

import java.util.List;
import java.util.Locale;

/**
 * What {@code node.role} changes in a node.yaml: the role and region themselves, and what a replica
 * cannot have. Each mistake names its key and why.
 */
public final class NodeRoleRules {
  private NodeRoleRules() {}

  /** {@code node.role}: writer (the default) or replica. */
  public static NodeKind kind(NodeConfigValues v) {
    String name = v.string("node.role");
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "writer" -> NodeKind.WRITER;
      case "replica" -> NodeKind.REPLICA;
      default -> throw v.fail("node.role", "must be writer or replica, not '" + name + "'");
    };
  }

  /** {@code node.region}: a replica's, or null; the writer pair has none. */
  public static String region(NodeConfigValues v, boolean replica) {
    String region = v.string("node.region");
    if (!region.isEmpty() && !region.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw v.fail("node.region", "must be 1-64 of [A-Za-z0-9._-], not '" + region + "'");
    }
    if (!replica && !region.isEmpty()) {
      throw v.fail("node.region", "is a replica's (node.role: replica); the writer pair has none");
    }
    return region.isEmpty() ? null : region;
  }

  /** A replica serves no rsync module: its port is 0, and another one given is a mistake. */
  public static int rsyncPort(NodeConfigValues v, boolean replica, int port) {
    if (!replica) {
      return port;
    }
    if (v.isSet("archive.rsync-port") && port != 0) {
      throw v.fail(
          "archive.rsync-port",
          "must be 0 on a replica: it serves no rsync module (nobody copies from it)");
    }
    return 0;
  }

  /** What a replica cannot have. */
  public static void check(NodeConfigValues v, ZooKeeperSection zk, DirectorSection d) {
    if (zk.embedded()) {
      throw v.fail(
          "zookeeper.connect",
          "must name ZooKeeper servers on a replica (an observer in its region): it reads the"
              + " writer pair's registry and cannot run its own");
    }
    if (d.adminTokenFile() != null) {
      throw v.fail(
          "director.admin-token-file",
          "must be empty on a replica: the admin API writes the registry, which only the writer"
              + " pair does");
    }
    if (d.fallbackMirrors().isEmpty()) {
      throw v.fail(
          "director.fallback-mirrors",
          "must name the writer pair's public base URL(s) on a replica: it holds no pool, so a"
              + " file no mirror qualifies for is sent there");
    }
    if (v.isSet("director.serve-locally") && v.bool("director.serve-locally")) {
      throw v.fail(
          "director.serve-locally",
          "must be false on a replica: it holds no pool (director.fallback-mirrors serves instead)");
    }
    for (String k : List.of("hooks.on-promote", "hooks.on-demote")) {
      if (!v.list(k).isEmpty()) {
        throw v.fail(k, "must be empty on a replica: a replica never becomes active");
      }
    }
  }
}
