package org.mirrordirector.sync.archive;

/** The check that found the problem, in the order the verifier runs them. */
public enum ProblemKind {
  SIGNATURE,
  RELEASE,
  INDEX,
  STANZA,
  BY_HASH,
  POOL,
  FETCH
}
