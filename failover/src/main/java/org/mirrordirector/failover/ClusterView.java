package org.mirrordirector.failover;

import java.util.List;
import java.util.Map;

/**
 * The whole registry as one immutable value: what every director routes from. A new view replaces
 * the old one atomically; nobody ever sees half an update.
 *
 * @param generation grows with every rebuild in this process
 * @param source LIVE when built from ZooKeeper, LAST_KNOWN_GOOD when loaded from disk
 * @param connected whether the ZooKeeper session was connected when this view was last touched
 * @param epoch the fencing epoch (the epoch znode's version), 0 when none was ever set
 * @param leader the node that set the epoch last, or null
 * @param problems payloads that were corrupt and skipped, each naming its znode
 */
public record ClusterView(
    long generation,
    ViewSource source,
    boolean connected,
    long builtAtMillis,
    long epoch,
    String leader,
    Map<String, NodeInfo> nodes,
    Map<String, MirrorView> mirrors,
    Map<String, SnapshotRecord> snapshots,
    CurrentSnapshot current,
    List<DrillRecord> drills,
    List<String> problems) {

  public ClusterView {
    nodes = Map.copyOf(nodes);
    mirrors = Map.copyOf(mirrors);
    snapshots = Map.copyOf(snapshots);
    drills = List.copyOf(drills);
    problems = List.copyOf(problems);
  }

  /**
   * What the director serves from, named for what it is: LIVE only while the view comes from
   * ZooKeeper and the session is connected; a view built from ZooKeeper whose connection has been
   * lost since is the last one known good, as is one loaded from disk.
   */
  public ViewSource servingFrom() {
    if (source == ViewSource.LIVE && !connected) {
      return ViewSource.LAST_KNOWN_GOOD;
    }
    return source;
  }

  public static ClusterView empty() {
    return new ClusterView(
        0,
        ViewSource.EMPTY,
        false,
        0,
        0,
        null,
        Map.of(),
        Map.of(),
        Map.of(),
        null,
        List.of(),
        List.of());
  }

  /** The same content, seen from another source, connection state or generation. */
  ClusterView with(ViewSource s, boolean c, long generation) {
    return new ClusterView(
        generation,
        s,
        c,
        builtAtMillis,
        epoch,
        leader,
        nodes,
        mirrors,
        snapshots,
        current,
        drills,
        problems);
  }
}
