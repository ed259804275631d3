package org.mirrordirector.ops.demo;

import java.time.Instant;

/** One publication and when each mirror had copied it. */
public record Publication(int version, Instant at, String inReleaseSha256) {}
