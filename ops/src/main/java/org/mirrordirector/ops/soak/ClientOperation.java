package org.mirrordirector.ops.soak;

/** One apt operation. */
public record ClientOperation(
    String client, String kind, long startMillis, long endMillis, boolean ok, String output) {}
