package org.mirrordirector.failover.net;

/** Why a connection attempt failed, in the classes that matter to a caller. */
public enum ConnectFailure {
  /** The host answered with a reset: nothing listens there. */
  REFUSED,
  /** This node has no path to the address at all (no route, no source address, no family). */
  NO_PATH,
  /** No answer within the time left. */
  TIMED_OUT,
  /** Anything else (host unreachable, reset, ...). */
  OTHER
}
