package org.mirrordirector.director;

/** How a request is answered. */
public enum SelectionOutcome {
  REDIRECT,
  FALLBACK_MIRROR,
  SERVE_LOCALLY,
  UNAVAILABLE
}
