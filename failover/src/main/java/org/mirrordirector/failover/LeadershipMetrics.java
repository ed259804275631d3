package org.mirrordirector.failover;

/**
 * A reading of one node's leadership, for metrics and the status page.
 *
 * @param millisSinceContact since the last round trip to the quorum in the node's session, or -1
 *     before the first
 */
public record LeadershipMetrics(
    String node,
    Role role,
    long epoch,
    int negotiatedSessionTimeoutMs,
    long millisSinceContact,
    long leadershipChanges,
    boolean servingAsLeader) {}
