package org.mirrordirector.ops.soak;

/** One fault or mirror event: what, on what, when, and what was said. */
public record FaultDone(
    String kind, String target, long startMillis, long endMillis, String note) {}
