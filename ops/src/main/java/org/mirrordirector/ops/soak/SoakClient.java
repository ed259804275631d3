package org.mirrordirector.ops.soak;

/** Where a client's sources point. */
public record SoakClient(String name, String sources) {}
