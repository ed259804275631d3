package org.mirrordirector.failover;

/** The snapshot clients are sent to, and the epoch of the leader that published it. */
public record CurrentSnapshot(String snapshot, long publishedAtMillis, long epoch) {
  public CurrentSnapshot {
    RegistryPaths.requireId("snapshot", snapshot);
  }
}
