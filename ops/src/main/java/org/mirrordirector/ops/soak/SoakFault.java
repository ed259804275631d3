package org.mirrordirector.ops.soak;

/** Faults on the cluster. */
public enum SoakFault {
  /** The primary stops on SIGTERM, and is started again. */
  GRACEFUL,
  /** The primary is killed (SIGKILL), and is started again. */
  CRASH,
  /** The primary is paused (SIGSTOP) for longer than its session, then resumed. */
  PAUSE,
  /** The primary's ZooKeeper link is cut for longer than its session, then mended. */
  ISOLATE,
  /** ZooKeeper (the voter, with replicas) is stopped and started again. */
  ZOOKEEPER_RESTART,
  /** The upstream's rsync daemons are down for a while: no node and no mirror can copy. */
  UPSTREAM_DOWN,
  /** The active node is killed while its sync agent's rsync runs, and started again. */
  SYNC_KILLED,
  /** A director replica's region is cut off from the writers' quorum, then mended. */
  REGION_CUT
}
