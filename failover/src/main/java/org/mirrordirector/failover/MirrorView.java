package org.mirrordirector.failover;

/**
 * A mirror's configuration and, once probed, its state; {@code unreachable} is set while the quick
 * check finds the mirror not answering (null otherwise).
 */
public record MirrorView(MirrorConfig config, MirrorState state, Unreachable unreachable) {
  public MirrorView(MirrorConfig config, MirrorState state) {
    this(config, state, null);
  }
}
