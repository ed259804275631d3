package org.mirrordirector.ops.soak;

/**
 * How long after one publication each stage had it; -1: not within the soak. {@code
 * routedUpMillis}: the routed time less the time the upstream was down meanwhile (no node and no
 * mirror could copy it then).
 */
public record Freshness(
    int version,
    long snapshotMillis,
    long routedMillis,
    long routedUpMillis,
    long halfMillis,
    long allMillis) {}
