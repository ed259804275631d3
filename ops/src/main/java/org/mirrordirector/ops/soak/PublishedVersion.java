package org.mirrordirector.ops.soak;

/** One publication of the upstream. */
public record PublishedVersion(int version, long atMillis, String sha) {}
