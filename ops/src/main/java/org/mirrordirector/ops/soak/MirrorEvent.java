package org.mirrordirector.ops.soak;

/** What the public mirrors do. */
public enum MirrorEvent {
  /** A mirror stops copying new versions for a while, then catches up. */
  LAG,
  /** A mirror's copy dies after dists/ (new indexes over the old pool); mended a while later. */
  BREAK,
  /** A mirror's server stops (connections refused), and comes back. */
  DROP,
  /** A mirror is drained through the admin API, and enabled again. */
  DRAIN
}
