package org.mirrordirector.failover;

/**
 * The health a prober gives one suite of a mirror. AHEAD: a validly signed snapshot newer than the
 * director's own, with the indexes it names and the pool files it adds (sampled): a mirror pushed
 * by the upstream before the director's node synced.
 */
public enum Health {
  OK,
  LAGGING,
  AHEAD,
  SYNCING,
  BROKEN,
  DOWN
}
