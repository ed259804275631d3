package org.mirrordirector.failover;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/** An in-process node for tests: its own ZooKeeper client, leadership and writer. */
final class Node implements AutoCloseable {
  final String id;
  final CuratorFramework client;
  final Leadership leadership;
  final RegistryWriter writer;

  Node(String id, String connectString, Duration sessionTimeout) {
    this(
        id,
        connectString,
        LeadershipConfig.withSessionTimeout(id, id + ".test:8080", sessionTimeout));
  }

  Node(String id, String connectString, LeadershipConfig config) {
    this.id = id;
    this.client = ZooKeeperClients.start(connectString, config);
    this.leadership = new Leadership(client, RegistryPaths.defaults(), config);
    this.writer = new RegistryWriter(leadership, RegistryPaths.defaults());
  }

  Node start() {
    leadership.start();
    return this;
  }

  Role role() {
    return leadership.role();
  }

  /** Polls every millisecond until the node has {@code role}; returns the nanoseconds it took. */
  long awaitRole(Role role, Duration timeout) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    while (leadership.role() != role) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            id + " did not become " + role + " within " + timeout + "; it is " + leadership.role());
      }
      TimeUnit.MICROSECONDS.sleep(500);
    }
    return System.nanoTime() - t0;
  }

  @Override
  public void close() {
    leadership.close();
    client.close();
  }
}
