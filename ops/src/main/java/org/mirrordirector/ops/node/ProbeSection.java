package org.mirrordirector.ops.node;

import java.time.Duration;

/** How the active node probes the public mirrors. */
public record ProbeSection(
    Duration interval,
    Duration recheckInterval,
    Duration timeout,
    int parallelism,
    int sampleSize,
    int confirmations) {}
