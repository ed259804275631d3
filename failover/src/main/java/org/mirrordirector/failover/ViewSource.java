package org.mirrordirector.failover;

/** Where a view came from. */
public enum ViewSource {
  EMPTY,
  LAST_KNOWN_GOOD,
  LIVE
}
