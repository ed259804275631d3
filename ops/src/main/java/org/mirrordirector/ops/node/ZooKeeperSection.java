package org.mirrordirector.ops.node;

import java.time.Duration;

/**
 * The registry.
 *
 * @param connect the ensemble's connect string; empty for an embedded single server
 */
public record ZooKeeperSection(
    String connect,
    String embeddedHost,
    int embeddedPort,
    String root,
    Duration sessionTimeout,
    Duration connectionTimeout) {
  public boolean embedded() {
    return connect.isEmpty();
  }

  /** What the node's client connects to. */
  public String connectString() {
    String h = embeddedHost.contains(":") ? "[" + embeddedHost + "]" : embeddedHost;
    return embedded() ? h + ":" + embeddedPort : connect;
  }
}
