package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

import java.util.Map;

/** A verified, published snapshot of the archive. */
public record SnapshotRecord(String id, Map<String, SuiteSnapshot> suites, long createdAtMillis) {
  public SnapshotRecord {
    RegistryPaths.requireId("snapshot", id);
    require(suites != null && !suites.isEmpty(), "snapshot " + id + ": no suite");
    suites = Map.copyOf(suites);
  }
}
