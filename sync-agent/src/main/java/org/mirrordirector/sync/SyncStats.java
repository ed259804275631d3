package org.mirrordirector.sync;

/** Counters and the last report, for the status page and tests. */
public record SyncStats(
    long runs,
    long coalesced,
    long looks,
    SyncReport last,
    String lookProblem,
    boolean running,
    boolean queued) {}
