package org.mirrordirector.failover;

import static org.mirrordirector.failover.PayloadChecks.require;

import java.util.Map;

/** One failover drill. */
public record DrillRecord(
    String id,
    String mode,
    boolean passed,
    long startedAtMillis,
    long finishedAtMillis,
    Map<String, Double> figures,
    String summary) {
  public DrillRecord {
    RegistryPaths.requireId("drill", id);
    require(mode != null && !mode.isBlank(), "drill " + id + ": mode is missing");
    figures = figures == null ? Map.of() : Map.copyOf(figures);
  }
}
