package org.mirrordirector.ops.soak;

/** A change seen at a time: a snapshot's InRelease, or a mirror's health. */
public record SeenAt(long millis, String what) {}
