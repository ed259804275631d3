package org.mirrordirector.ops.soak;

/** How a failed operation failed. */
public enum FailureCause {
  /** apt's "Hash Sum mismatch" or "File has unexpected size". */
  HASH_SUM_MISMATCH,
  /** A 404 from a mirror: the director sent apt to a mirror without the file. */
  NOT_FOUND_AFTER_REDIRECT,
  /** An error status from the director (or the load balancer) itself. */
  DIRECTOR_ERROR,
  /** The mirror the director sent apt to could not be reached. */
  MIRROR_UNREACHABLE,
  /**
   * As {@link #MIRROR_UNREACHABLE}, at a mirror that dropped off (a DROP event) while the operation
   * ran: apt retries at the mirror a redirect named, never at the director, so no director saves
   * it. Its own figure, with the drop; not counted against the soak's zero.
   */
  MIRROR_DROPPED_OFF,
  /** Anything else apt said. */
  OTHER
}
