package org.mirrordirector.ops.soak;

import java.time.Instant;

/** A failed apt operation and why. */
public record FailedOperation(
    String client, String kind, Instant at, String cause, String output) {}
