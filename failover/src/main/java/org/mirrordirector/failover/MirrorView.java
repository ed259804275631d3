package org.mirrordirector.failover;

/** A mirror's configuration and, once probed, its state. */
public record MirrorView(MirrorConfig config, MirrorState state) {}
