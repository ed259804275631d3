package org.mirrordirector.failover;

import java.util.regex.Pattern;

/**
 * The znode layout under a configurable root (default {@code /mirrordirector}):
 *
 * <pre>
 * ROOT/epoch                   EpochRecord; its znode version is the fencing epoch
 * ROOT/leader                  Curator LeaderLatch children
 * ROOT/nodes/ID                NodeInfo, ephemeral: one per running node
 * ROOT/mirrors/ID              MirrorConfig: where a mirror is and how it may be used
 * ROOT/mirrors/ID/state        MirrorState: what the prober found, per suite
 * ROOT/mirrors/ID/reach        Unreachable: the quick check found it not answering (only then)
 * ROOT/snapshots/ID            SnapshotRecord: a verified, published archive snapshot
 * ROOT/archive/current         CurrentSnapshot: the snapshot clients are sent to
 * ROOT/drills/ID               DrillRecord: one failover drill's result
 * ROOT/archives/NAME/...       mirrors/, snapshots/ and archive/current of a node's second and
 *                              further archives (the first keeps the paths above)
 * </pre>
 *
 * Every payload is versioned JSON ({@link RegistryCodec}). Never delete {@code epoch}: its version
 * only grows, and that is what makes it a fencing token.
 */
public record RegistryPaths(String root, String archive) {
  public static final String DEFAULT_ROOT = "/mirrordirector";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** The paths of the first archive (and of everything the archives share). */
  public RegistryPaths(String root) {
    this(root, null);
  }

  public RegistryPaths {
    if (archive != null) {
      requireId("archive", archive);
    }
    if (root == null
        || !root.startsWith("/")
        || root.endsWith("/")
        || root.contains("//")
        || !root.matches("[A-Za-z0-9/._-]+")) {
      throw new IllegalArgumentException(
          "registry root must be an absolute znode path such as /mirrordirector: '" + root + "'");
    }
  }

  public static RegistryPaths defaults() {
    return new RegistryPaths(DEFAULT_ROOT);
  }

  /**
   * The paths of another archive of the same cluster: its own mirrors, snapshots and current
   * snapshot; the epoch, the leader latch, the nodes and the drills stay shared.
   */
  public RegistryPaths forArchive(String name) {
    return new RegistryPaths(root, name);
  }

  /** Where this archive's mirrors, snapshots and current snapshot are. */
  public String archiveRoot() {
    return archive == null ? root : root + "/archives/" + archive;
  }

  /** Checks a node, mirror, snapshot or drill id; the message names the kind and the value. */
  public static String requireId(String kind, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          kind
              + " id must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit: '"
              + id
              + "'");
    }
    return id;
  }

  public String epoch() {
    return root + "/epoch";
  }

  public String leaderLatch() {
    return root + "/leader";
  }

  public String nodes() {
    return root + "/nodes";
  }

  public String node(String id) {
    return nodes() + "/" + requireId("node", id);
  }

  public String mirrors() {
    return archiveRoot() + "/mirrors";
  }

  public String mirror(String id) {
    return mirrors() + "/" + requireId("mirror", id);
  }

  public String mirrorState(String id) {
    return mirror(id) + "/state";
  }

  public String mirrorReach(String id) {
    return mirror(id) + "/reach";
  }

  public String snapshots() {
    return archiveRoot() + "/snapshots";
  }

  public String snapshot(String id) {
    return snapshots() + "/" + requireId("snapshot", id);
  }

  public String archive() {
    return archiveRoot() + "/archive";
  }

  public String current() {
    return archive() + "/current";
  }

  public String drills() {
    return root + "/drills";
  }

  public String drill(String id) {
    return drills() + "/" + requireId("drill", id);
  }
}
