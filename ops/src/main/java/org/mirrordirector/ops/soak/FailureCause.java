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
  /** Anything else apt said. */
  OTHER
}
