package org.mirrordirector.ops.node;

import java.time.Duration;

/**
 * How the active node probes the public mirrors; {@code reachInterval} and {@code reachTimeout} are
 * the quick check's (a zero interval: off).
 */
public record ProbeSection(
    Duration interval,
    Duration recheckInterval,
    Duration timeout,
    int parallelism,
    int sampleSize,
    int confirmations,
    Duration reachInterval,
    Duration reachTimeout) {}
