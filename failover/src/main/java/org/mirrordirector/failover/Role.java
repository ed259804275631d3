package org.mirrordirector.failover;

/** The role a node reports for itself. */
public enum Role {
  ACTIVE,
  NEUTRAL,
  STANDBY,
  /** A director replica: reads the registry, never joins the election, holds indexes only. */
  REPLICA
}
