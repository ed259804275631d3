package org.mirrordirector.sync.probe;

import java.time.Duration;
import java.util.Map;
import org.mirrordirector.failover.MirrorState;

/**
 * What one round did.
 *
 * @param skipped why no round ran (not the leader, nothing known yet), or null
 */
public record ProbeRound(
    long startedAtMillis,
    Duration elapsed,
    int mirrors,
    Map<String, MirrorState> states,
    String skipped) {}
